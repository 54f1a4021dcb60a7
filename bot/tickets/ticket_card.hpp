#pragma once

#include <optional>

#include <boost/asio/awaitable.hpp>

#include "bot/ports/chat.hpp"
#include "bot/ports/ticket_desk.hpp"

namespace tb::bot {

// The card a thread shows for its ticket: names of group and assignee looked up in Zendesk,
// the group choices for the card's select. A lookup that fails leaves its field empty.
asio::awaitable<TicketCard> ticket_card(TicketDesk& desk, Ticket ticket, std::optional<TicketId> follows);

}  // namespace tb::bot
