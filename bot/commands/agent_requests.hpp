#pragma once

#include <string>
#include <variant>

#include "bot/ports/ticket_desk.hpp"

namespace tb::bot {

// What an agent asks of ticketbridge from Slack, once adapters/slack has read the payload.

// A `/ticket …` slash command.
struct TicketCommand {
    std::string team;
    std::string channel;
    std::string user;
    std::string text;  // after `/ticket`, as Slack sent it
    std::string response_url;
    std::string trigger_id;
};

// A button or select on a ticket card, or "Solve with note" on the pending digest (block_actions).
struct CardAction {
    enum class Kind { take, priority, group, pending, solve, solve_pending };
    Kind kind = Kind::take;
    std::string team;
    std::string channel;  // where the card is
    std::string card_ts;  // the card message
    std::string user;
    TicketId ticket_id = 0;
    std::string choice;  // priority or group name chosen in a select
    std::string response_url;
    std::string trigger_id;
};

// The "Solve ticket" modal was submitted.
struct SolveSubmitted {
    std::string team;
    std::string user;
    TicketId ticket_id = 0;
    std::string channel;  // the card's, when solved from a card
    std::string card_ts;
    std::string note;  // may be empty
};

using AgentRequest = std::variant<TicketCommand, CardAction, SolveSubmitted>;

}  // namespace tb::bot
