#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>

#include "bot/clock.hpp"
#include "bot/config/settings.hpp"
#include "bot/jobs/key_lock.hpp"
#include "bot/jobs/runner.hpp"
#include "bot/ports/chat.hpp"
#include "bot/ports/sla_book.hpp"
#include "bot/ports/thread_ledger.hpp"
#include "bot/ports/ticket_desk.hpp"
#include "bot/sla/working_calendar.hpp"
#include "bot/sync/desk_event.hpp"

namespace tb::bot {

// The scheduled task that runs SlaWatch::scan.
inline constexpr char const* kSlaScanTask = "sla_scan";

// Keeps the service levels of the tickets the bridge opened. Their histories come from the
// opening and from Zendesk's ticket events; each tick looks only at the tickets whose next
// warning or deadline has come (SlaBook::due) and announces each (ticket, policy, kind) once,
// in the alert channel and in the ticket's thread. A ticket fixed in time is never announced.
class SlaWatch {
public:
    SlaWatch(Settings const& settings, WorkingCalendar const& calendar, SlaBook& book, ThreadLedger& ledger,
             Chat& chat, TicketDesk& desk, Clock const& clock);

    // A ticket the bridge opened: its clocks start at its creation.
    asio::awaitable<Result<void>> opened(Ticket ticket);
    // What a Zendesk ticket event means for a followed ticket's clocks; `key` makes it count once.
    asio::awaitable<JobOutcome> observed(DeskEvent event, std::string key);
    // A followed ticket as Zendesk's export shows it after webhooks were missed: its status and
    // public comments join the history (once each), so no clock runs on without them.
    asio::awaitable<JobOutcome> caught_up(Ticket ticket);
    // One tick: the due tickets, then (once each working day at sla.pending_digest_at) the digest
    // of tickets pending too long, solved with the team's note first when sla.pending_auto_solve.
    // Ticks that overlap (a slow Slack holds one past the next) run one after the other.
    asio::awaitable<JobOutcome> scan();

    // `/ticket sla N`: the ticket's clocks; `/ticket sla`: this month's attainment and what is
    // late or due within a day.
    asio::awaitable<std::string> explain(std::optional<TicketId> id);

private:
    struct DigestLine {
        JobOutcome outcome = JobOutcome::done();
        std::optional<PendingLine> line;  // nothing: not (or no longer) pending too long
    };

    asio::awaitable<JobOutcome> look_at(TicketId id, Instant now);
    asio::awaitable<Result<void>> schedule(TicketId id, TicketSla const& sla, Instant now);
    asio::awaitable<JobOutcome> pending_digest(Instant now);
    asio::awaitable<DigestLine> digest_line(TicketId id, Instant now);
    asio::awaitable<JobOutcome> auto_solve(Ticket const& ticket, Instant since, std::string const& waited);
    asio::awaitable<JobOutcome> announce(TicketId id, PolicyState const& state, bool breach, Instant now);
    asio::awaitable<Result<void>> reschedule(SlaRecord const& record, Instant now);
    asio::awaitable<std::string> explain_ticket(TicketId id);
    asio::awaitable<std::string> explain_team();
    std::string alert_text(Ticket const& ticket, std::string const& assignee, PolicyState const& state, bool breach,
                           Instant now) const;

    Settings const& settings_;
    WorkingCalendar const& calendar_;
    SlaBook& book_;
    ThreadLedger& ledger_;
    Chat& chat_;
    TicketDesk& desk_;
    Clock const& clock_;
    // An announcement is checked, posted, then marked: two ticks at once would both post it.
    KeyLock scanning_;
};

}  // namespace tb::bot
