#include "bot/sync/missed_changes.hpp"

#include <chrono>
#include <utility>

namespace tb::bot {
namespace {

constexpr char const* kCursor = "zendesk_ticket_export";
// The first run looks back this far; later runs start where the last one ended.
constexpr auto kFirstLookBack = std::chrono::hours{1};
// Zendesk allows 10 export requests a minute; a longer backlog continues next run.
constexpr int kMaxPagesPerRun = 5;

}  // namespace

MissedChanges::MissedChanges(TicketDesk& desk, ThreadLedger& ledger, DeskSync& sync, Clock const& clock)
    : desk_{desk}, ledger_{ledger}, sync_{sync}, clock_{clock} {}

asio::awaitable<JobOutcome> MissedChanges::run() {
    auto const stored = co_await ledger_.cursor(kCursor);
    if (!stored) co_return store_outcome(stored.error(), "export cursor");
    ExportPosition position;
    if (*stored) position.cursor = **stored;
    else position.start = clock_.now() - kFirstLookBack;
    for (int page = 0; page < kMaxPagesPerRun; ++page) {
        auto const changed = co_await desk_.changed_tickets(position);
        if (!changed) co_return outcome_of(changed.error(), "incremental export");
        for (auto const& ticket : changed->tickets) {
            // A ticket that cannot be caught up for good (Slack refused the thread) must not
            // hold back the others; one that can later stops the run here, to resume.
            auto const caught = co_await sync_.catch_up(ticket);
            if (caught.kind == JobOutcome::Kind::retry) co_return caught;
            if (changed_) {
                auto const told = co_await changed_(ticket);
                if (told.kind == JobOutcome::Kind::retry) co_return told;
            }
        }
        if (!changed->next_cursor.empty()) {
            if (auto saved = co_await ledger_.save_cursor(kCursor, changed->next_cursor); !saved) {
                co_return store_outcome(saved.error(), "export cursor");
            }
            position.cursor = changed->next_cursor;
        }
        if (changed->end_of_stream) break;
    }
    co_return JobOutcome::done();
}

}  // namespace tb::bot
