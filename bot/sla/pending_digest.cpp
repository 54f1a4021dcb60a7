// The daily digest of tickets pending too long, and solving them with the team's note.
#include <cstdio>
#include <utility>

#include "bot/sla/sla_watch.hpp"
#include "bot/sync/sync_lines.hpp"
#include "bot/tickets/markup.hpp"
#include "bot/tickets/ticket_card.hpp"
#include "bot/tickets/ticket_flows.hpp"

namespace tb::bot {
namespace {

constexpr std::size_t kDigestLines = 40;  // a Slack message holds 50 blocks
constexpr std::size_t kOverdueRead = 1000;
constexpr char const* kSolved = "solved";
constexpr char const* kThread = "thread";

std::string date_key(Date day) {
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", day.year, day.month, day.day);
    return text;
}

std::string counted(long long n, char const* one, char const* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "6 working days", or hours under a day.
std::string waited_text(std::chrono::milliseconds working, std::chrono::minutes day) {
    auto const days = working / day;
    if (days >= 1) return counted(days, "working day", "working days");
    return counted(std::chrono::duration_cast<std::chrono::hours>(working).count(), "working hour", "working hours");
}

std::string limit_text(WorkingSpan const& span) {
    auto const unit = span.unit == WorkingSpan::Unit::days    ? " working days"
                      : span.unit == WorkingSpan::Unit::hours ? " working hours"
                                                              : " working minutes";
    return std::to_string(span.amount) + "+" + unit;
}

}  // namespace

// Once per working day, at pending_digest_at on the team's clock; the store remembers the day was
// done, so restarts and replicas post it once.
asio::awaitable<JobOutcome> SlaWatch::pending_digest(Instant now) {
    auto const today = calendar_.local_date(now);
    if (!calendar_.is_work_date(today)) co_return JobOutcome::done();
    if (now < calendar_.local_instant(today, settings_.sla.pending_digest_at)) co_return JobOutcome::done();
    auto const key = "pending-digest:" + date_key(today);
    auto const done = co_await ledger_.step_done(key, kPosted);
    if (!done) co_return store_outcome(done.error(), "digest step");
    if (*done) co_return JobOutcome::done();

    auto const ids = co_await book_.pending_overdue(kOverdueRead);
    if (!ids) co_return store_outcome(ids.error(), "pending overdue");
    PendingDigest digest;
    digest.note = settings_.sla.pending_note;
    for (std::size_t i = 0; i < ids->size(); ++i) {
        if (digest.lines.size() == kDigestLines) {
            digest.more = ids->size() - i;  // not checked against Zendesk: about this many
            break;
        }
        auto looked = co_await digest_line((*ids)[i], now);
        if (looked.outcome.kind == JobOutcome::Kind::retry) co_return looked.outcome;
        if (looked.line) digest.lines.push_back(std::move(*looked.line));
    }
    auto const count = digest.lines.size() + digest.more;
    if (count > 0 && !settings_.slack.alert_channel.empty()) {
        digest.title = counted(static_cast<long long>(count), "ticket", "tickets") + " pending " +
                       limit_text(settings_.sla.pending_too_long) + " with no answer from the requester";
        auto const posted = co_await chat_.post_pending_digest(settings_.slack.alert_channel, std::move(digest));
        if (!posted && posted.error().transient()) co_return outcome_of(posted.error(), "chat.postMessage");
    }
    if (auto marked = co_await ledger_.mark_step(key, kPosted); !marked) co_return store_outcome(marked.error(), "digest step");
    co_return JobOutcome::done();
}

// Zendesk has the last word: a ticket no longer pending there is left out (a catch-up brings its
// history up to date).
asio::awaitable<SlaWatch::DigestLine> SlaWatch::digest_line(TicketId id, Instant now) {
    auto const record = co_await book_.record(id);
    if (!record) co_return DigestLine{store_outcome(record.error(), "sla record"), std::nullopt};
    if (!*record) co_return DigestLine{};
    auto const sla = evaluate_sla((*record)->history, settings_.sla, calendar_, now);
    auto const& pending = sla.pending_too_long;
    if (pending.phase != PolicyState::Phase::breached || !pending.since) {
        if (auto scheduled = co_await schedule(id, sla, now); !scheduled) {
            co_return DigestLine{store_outcome(scheduled.error(), "sla schedule"), std::nullopt};
        }
        co_return DigestLine{};
    }
    auto const ticket = co_await desk_.get(id);
    if (!ticket) {
        if (ticket.error().transient()) co_return DigestLine{outcome_of(ticket.error(), "get ticket"), std::nullopt};
        co_return DigestLine{};
    }
    if (ticket->status != "pending") co_return DigestLine{};
    PendingLine line{id, desk_.agent_url(id), ticket->subject, {}, calendar_.local_text(*pending.since),
                     waited_text(calendar_.elapsed(*pending.since, now), calendar_.day_length()), {}};
    if (ticket->assignee_id) {
        auto const name = co_await desk_.user_name(*ticket->assignee_id);
        line.assignee = name ? *name : "agent " + std::to_string(*ticket->assignee_id);
    }
    if (settings_.sla.pending_auto_solve) {
        auto const solved = co_await auto_solve(*ticket, *pending.since, line.waited);
        if (solved.kind == JobOutcome::Kind::retry) co_return DigestLine{solved, std::nullopt};
        line.solved = solved.kind == JobOutcome::Kind::done ? "Solved automatically with the team's note."
                                                            : "Could not be solved automatically: " + solved.reason;
    }
    co_return DigestLine{JobOutcome::done(), std::move(line)};
}

// Solves the ticket as the bridge with the team's note as the public reply, then tells its
// thread and redraws its card; each step once, however often the digest is retried.
asio::awaitable<JobOutcome> SlaWatch::auto_solve(Ticket const& ticket, Instant since, std::string const& waited) {
    auto const key = "pending-solve:" + std::to_string(ticket.id) + ":" + std::to_string(to_unix_ms(since));
    auto const solved = co_await ledger_.step_done(key, kSolved);
    if (!solved) co_return store_outcome(solved.error(), "solve step");
    if (!*solved) {
        TicketChange change;
        change.status = "solved";
        // Zendesk solves only assigned tickets: an unassigned one goes to the bridge's user.
        if (!ticket.assignee_id) {
            auto const self = co_await desk_.self();
            if (!self) co_return outcome_of(self.error(), "who the bridge is");
            change.assignee_id = *self;
        }
        NewComment note{settings_.sla.pending_note, true, std::nullopt, {}};
        auto const updated = co_await desk_.update(ticket.id, std::move(change), std::move(note));
        if (!updated) {
            if (updated.error().transient()) co_return outcome_of(updated.error(), "update ticket");
            co_return JobOutcome::fail(updated.error().message);
        }
        if (auto marked = co_await ledger_.mark_step(key, kSolved); !marked) co_return store_outcome(marked.error(), "solve step");
    }
    auto const told = co_await ledger_.step_done(key, kThread);
    if (!told) co_return store_outcome(told.error(), "solve step");
    if (*told) co_return JobOutcome::done();
    auto const thread = co_await ledger_.find_by_ticket(ticket.id);
    if (!thread) co_return store_outcome(thread.error(), "find thread");
    if (*thread) {
        auto const& found = **thread;
        auto const text = ticket_ref(ticket.id) + " waited on the requester for " + waited +
                          ", so ticketbridge solved it with the team's note:\n>>> " +
                          escape_slack_text(settings_.sla.pending_note);
        auto const posted = co_await chat_.post(found.key.channel, found.key.thread_ts, text);
        if (!posted) co_return outcome_of(posted.error(), "chat.postMessage");
        auto const now_solved = co_await desk_.get(ticket.id);
        if (now_solved && !found.card_ts.empty()) {
            auto card = co_await ticket_card(desk_, *now_solved, found.follows);
            co_await chat_.update_card(found.key.channel, found.card_ts, std::move(card));
        }
        if (now_solved) {
            if (auto shown = co_await ledger_.show(shown_from(*now_solved)); !shown) {
                co_return store_outcome(shown.error(), "shown ticket");
            }
        }
    }
    if (auto marked = co_await ledger_.mark_step(key, kThread); !marked) co_return store_outcome(marked.error(), "solve step");
    co_return JobOutcome::done();
}

}  // namespace tb::bot
