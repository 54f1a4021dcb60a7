#pragma once

#include <functional>

#include <boost/asio/awaitable.hpp>

#include "bot/clock.hpp"
#include "bot/jobs/runner.hpp"
#include "bot/ports/thread_ledger.hpp"
#include "bot/ports/ticket_desk.hpp"
#include "bot/sync/desk_sync.hpp"

namespace tb::bot {

// The scheduled task that runs MissedChanges.
inline constexpr char const* kCatchUpTask = "zendesk_catch_up";

// Webhooks Zendesk could not deliver (the service was down, Zendesk gave up) are caught up
// from its incremental ticket export: from the stored cursor, each changed ticket that has a
// thread is brought up to date by DeskSync::catch_up, then the cursor moves on. A run that
// fails part-way is retried from the last saved cursor; catch_up does nothing twice.
class MissedChanges {
public:
    MissedChanges(TicketDesk& desk, ThreadLedger& ledger, DeskSync& sync, Clock const& clock);

    asio::awaitable<JobOutcome> run();

    // Also told of every changed ticket (e.g. to bring its SLA history up to date).
    using ChangedHook = std::function<asio::awaitable<JobOutcome>(Ticket)>;
    void on_changed(ChangedHook hook) { changed_ = std::move(hook); }

private:
    TicketDesk& desk_;
    ThreadLedger& ledger_;
    DeskSync& sync_;
    Clock const& clock_;
    ChangedHook changed_;
};

}  // namespace tb::bot
