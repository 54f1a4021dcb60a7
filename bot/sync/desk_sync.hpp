#pragma once

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "bot/config/settings.hpp"
#include "bot/jobs/key_lock.hpp"
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
// (its own API user is the actor) are not echoed. A merged or deleted ticket is told once and
// its thread follows it no more.
//
// What webhooks missed is caught up from the ticket as it is now (see catch_up): one line for
// the fields that changed since the thread last showed them, and the agents' comments not
// posted yet. Both paths take the same per-ticket lock and share their once-only keys.
class DeskSync {
public:
    DeskSync(Settings const& settings, Chat& chat, TicketDesk& desk, ThreadLedger& ledger, FlowObserver& observer);

    asio::awaitable<JobOutcome> handle(DeskEvent event, std::string delivery_id);
    // Brings the ticket's thread up to date with `ticket` (from Zendesk's incremental export).
    asio::awaitable<JobOutcome> catch_up(Ticket ticket);

private:
    asio::awaitable<std::optional<std::string>> line_for(DeskEvent const& event, ThreadRecord const& thread);
    asio::awaitable<std::string> user_name(std::optional<DeskUserId> id, std::string fallback);
    asio::awaitable<JobOutcome> redraw_card(ThreadRecord const& thread);
    asio::awaitable<JobOutcome> show(ThreadRecord const& thread, Ticket const& ticket, Instant told_until);
    asio::awaitable<JobOutcome> post_once(ThreadRecord const& thread, std::string key, std::string text);
    asio::awaitable<JobOutcome> tell_gone(ThreadRecord thread, DeskEvent const& event);
    asio::awaitable<JobOutcome> post_missed_comments(ThreadRecord const& thread, TicketId id, Instant since,
                                                     DeskUserId self);
    asio::awaitable<std::optional<std::string>> changes_line(ShownTicket const& shown, Ticket const& ticket);
    bool posts_notes(ThreadRecord const& thread) const;

    Settings const& settings_;
    Chat& chat_;
    TicketDesk& desk_;
    ThreadLedger& ledger_;
    FlowObserver& observer_;
    KeyLock tickets_;
};

// The thread's line for a comment written in Zendesk: who, where, and the text quoted.
std::string comment_line(std::string_view author, bool is_public, std::string_view body);

}  // namespace tb::bot
