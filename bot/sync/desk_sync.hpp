#pragma once

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "bot/config/settings.hpp"
#include "bot/jobs/runner.hpp"
#include "bot/ports/chat.hpp"
#include "bot/ports/thread_ledger.hpp"
#include "bot/ports/ticket_desk.hpp"
#include "bot/sync/desk_event.hpp"
#include "bot/tickets/ticket_flows.hpp"

namespace tb::bot {

// Zendesk to Slack: what happens to a ticket in Zendesk shows in its Slack thread. A change
// gets one status line and the card is redrawn from the ticket as it is now (so a late or
// out-of-order delivery never moves it backwards); public comments are posted with their
// author's name, internal notes only where the channel asks. Changes the bridge made itself
// (its own API user is the actor) are not echoed.
class DeskSync {
public:
    DeskSync(Settings const& settings, Chat& chat, TicketDesk& desk, ThreadLedger& ledger, FlowObserver& observer);

    asio::awaitable<JobOutcome> handle(DeskEvent event, std::string delivery_id);

private:
    asio::awaitable<std::optional<std::string>> line_for(DeskEvent const& event, ThreadRecord const& thread);
    asio::awaitable<std::string> user_name(std::optional<DeskUserId> id, std::string fallback);
    asio::awaitable<JobOutcome> redraw_card(ThreadRecord const& thread);

    Settings const& settings_;
    Chat& chat_;
    TicketDesk& desk_;
    ThreadLedger& ledger_;
    FlowObserver& observer_;
};

// The thread's line for a comment written in Zendesk: who, where, and the text quoted.
std::string comment_line(std::string_view author, bool is_public, std::string_view body);

}  // namespace tb::bot
