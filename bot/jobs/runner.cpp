#include "bot/jobs/runner.hpp"

#include <algorithm>
#include <exception>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>

namespace tb::bot {
namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

std::chrono::milliseconds since(Clock const& clock, Instant start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - start);
}

}  // namespace

bool JobRunner::given_up(JobOutcome const& outcome, int attempts) const {
    // Rate limits say "later", not "broken": they get ten times the attempts.
    if (outcome.throttled) return attempts >= settings_.backoff.max_attempts * 10;
    return exhausted(settings_.backoff, attempts);
}

JobRunner::JobRunner(asio::any_io_executor executor, Store& store, Clock const& clock,
                     JobHandler handler, JobObserver& observer, RunnerSettings settings)
    : strand_{asio::make_strand(std::move(executor))},
      store_{store},
      clock_{clock},
      handler_{std::move(handler)},
      observer_{observer},
      settings_{settings},
      wakeup_{strand_} {}

void JobRunner::wake(Source source) {
    // Every accepted delivery wakes the runner: one posted wake-up at a time is enough.
    if (is_interactive(source)) interactive_queued_ = true;
    if (wake_posted_.exchange(true)) return;
    asio::post(strand_, [this] {
        wake_posted_ = false;
        woken_ = true;
        wakeup_.cancel();
    });
}

void JobRunner::stop() {
    asio::post(strand_, [this] {
        stopping_ = true;
        wakeup_.cancel();
    });
}

// All state lives on the strand. A coroutine resumes on its own executor after each wait, so the
// loop, every attempt and every renewal is spawned on the strand: nothing needs to post back to
// it, and run() may itself be spawned on a plain executor that several threads run.
asio::awaitable<void> JobRunner::run() { co_await asio::co_spawn(strand_, loop(), asio::use_awaitable); }

asio::awaitable<void> JobRunner::loop() {
    while (!stopping_) {
        woken_ = false;
        // Interactive work first, in any free slot; then the rest, leaving the reserved slots.
        // (Wake-ups for bulk work can keep the poll from ever firing: a retry of a command that
        // fell due meanwhile is looked for at least as often as the poll would.)
        Claimed interactive;
        bool const everywhere = std::exchange(look_everywhere_, false) ||
                                clock_.now() - looked_interactive_ >= settings_.idle_poll;
        bool const queued = interactive_queued_.exchange(false);
        if (everywhere || queued) {
            looked_interactive_ = clock_.now();
            interactive = co_await claim(settings_.concurrency - leases_.size(), true);
        }
        auto const bulk = co_await claim(bulk_room(), false);
        keep_leases();
        if (stopping_) break;
        // A full batch means more may be waiting: look again at once, unless we are full.
        if (interactive.full) look_everywhere_ = true;
        if (interactive.full || bulk.full) continue;
        if (woken_) continue;
        wakeup_.expires_after(settings_.idle_poll);
        auto const [cancelled] = co_await wakeup_.async_wait(use_nothrow);
        if (!cancelled) look_everywhere_ = true;  // the poll: retries and expired leases fall due
    }
    auto const deadline = std::chrono::steady_clock::now() + settings_.drain_timeout;
    while (!leases_.empty() && std::chrono::steady_clock::now() < deadline) {
        wakeup_.expires_after(std::chrono::milliseconds{20});
        co_await wakeup_.async_wait(use_nothrow);
    }
}

// A job still at work when half its lease has passed (a long catch-up, a budget spent, a slow
// API) gets a new lease, so that it is not claimed and run a second time beside itself.
// (Renewals run side by side, so the store commits them together.)
void JobRunner::keep_leases() {
    auto const now = clock_.now();
    for (auto& [id, lease] : leases_) {
        if (lease.renewing || lease.until - now > settings_.lease / 2) continue;
        lease.renewing = true;
        asio::co_spawn(strand_, renew(id, now + settings_.lease), asio::detached);
    }
}

asio::awaitable<void> JobRunner::renew(JobId id, Instant until) {
    auto const extended = co_await store_.extend(id, until);
    if (!extended) observer_.store_failed(extended.error());
    auto const it = leases_.find(id);
    if (it == leases_.end()) co_return;  // finished meanwhile
    it->second.renewing = false;
    if (extended) it->second.until = until;  // else still due: tried again on the next turn
}

std::size_t JobRunner::bulk_room() const {
    auto const reserved = std::min(settings_.reserved_for_interactive, settings_.concurrency - 1);
    auto const bulk_cap = settings_.concurrency - reserved;
    auto const room = std::min(settings_.concurrency - leases_.size(),
                               bulk_in_flight_ < bulk_cap ? bulk_cap - bulk_in_flight_ : 0);
    if (outage_.pause.count() == 0) return room;
    // Paused for an outage: one probe at a time, once its pause has passed.
    if (outage_.probe || clock_.now() < outage_.probe_at) return 0;
    return std::min<std::size_t>(room, 1);
}

void JobRunner::note_reachability(Job const& job, JobOutcome const& outcome) {
    using Reach = JobOutcome::Reach;
    auto const now = clock_.now();
    bool const was_probe = outage_.probe == job.id;
    if (was_probe) outage_.probe.reset();
    if (outage_.pause.count() == 0) {
        if (outcome.reach == Reach::answered) outage_.streak = 0;
        if (outcome.reach != Reach::unanswered || ++outage_.streak < settings_.outage_after) return;
        // Soon after the last outage (ended, perhaps, by a probe that called nobody), go on
        // from its pause rather than from the start.
        bool const recent = now - outage_.ended_at < settings_.outage_pause_cap;
        outage_.pause = settings_.outage_pause;
        if (recent) outage_.pause = std::max(outage_.pause, outage_.last_pause);
    } else if (!was_probe) {
        return;  // only the probe speaks for an outage: other jobs began before it, or are commands
    } else if (outcome.reach == Reach::answered) {
        end_outage(outcome.reason);
        return;
    } else if (outcome.reach == Reach::unanswered) {
        outage_.pause = std::min(outage_.pause * 2, settings_.outage_pause_cap);
    } else {
        outage_.probe_at = now + outage_.pause;  // a local failure: probe again, same pause
        return;
    }
    outage_.probe_at = now + outage_.pause;
    observer_.outage(outage_.pause, outcome.reason);
}

void JobRunner::end_outage(std::string_view reason) {
    outage_.last_pause = outage_.pause;
    outage_.ended_at = clock_.now();
    outage_.pause = {};
    outage_.streak = 0;
    outage_.probe.reset();
    observer_.outage(outage_.pause, reason);
}

asio::awaitable<JobRunner::Claimed> JobRunner::claim(std::size_t room, bool interactive_only) {
    if (room == 0 || stopping_) co_return Claimed{};
    Result<std::vector<Job>> jobs;
    auto const asked = clock_.now();
    if (interactive_only) {
        jobs = co_await store_.claim_interactive(room, asked, settings_.lease);
    } else {
        jobs = co_await store_.claim(room, asked, settings_.lease);
    }
    if (!jobs) {
        observer_.store_failed(jobs.error());
        co_return Claimed{};
    }
    bool const probing = !interactive_only && outage_.pause.count() != 0 && !jobs->empty();
    if (probing) outage_.probe = jobs->front().id;
    auto const leased_until = asked + settings_.lease;
    for (auto& job : *jobs) {
        // Still at work here, its lease ran out under it (the store was away): that attempt's
        // outcome settles it; a second must not start beside it.
        if (leases_.contains(job.id)) continue;
        leases_[job.id] = Lease{leased_until, false};
        if (!is_interactive(job.source)) ++bulk_in_flight_;
        auto work = attempt(std::move(job));
        asio::co_spawn(strand_, std::move(work), asio::detached);
    }
    co_return Claimed{jobs->size() == room};
}

asio::awaitable<void> JobRunner::attempt(Job job) {
    auto const start = clock_.now();
    JobOutcome outcome;
    try {
        outcome = co_await handler_(job);
    } catch (std::exception const& e) {
        outcome = JobOutcome::retry(std::string{"unexpected error: "} + e.what());
    }
    co_await settle(job, outcome, since(clock_, start));
    note_reachability(job, outcome);
    leases_.erase(job.id);
    if (!is_interactive(job.source)) --bulk_in_flight_;
    // A slot is free: something may be waiting for it.
    // (woken_ too: run() may be claiming, not waiting, and would miss the cancel.)
    if (!stopping_) {
        woken_ = true;
        look_everywhere_ = true;
        wakeup_.cancel();
    }
}

asio::awaitable<void> JobRunner::settle(Job const& job, JobOutcome const& outcome,
                                        std::chrono::milliseconds took) {
    using Fate = JobObserver::Fate;
    auto const attempts = job.attempts + 1;
    Result<void> written;
    Fate fate = Fate::done;
    if (outcome.kind == JobOutcome::Kind::done) {
        written = co_await store_.complete(job.id);
    } else if (outcome.kind == JobOutcome::Kind::fail || given_up(outcome, attempts)) {
        fate = Fate::dead;
        written = co_await store_.bury(job.id, outcome.reason);
    } else {
        fate = Fate::retrying;
        std::uniform_real_distribution<double> unit{0.0, 1.0};
        auto delay = backoff_delay(settings_.backoff, attempts, unit(random_));
        if (outcome.retry_after) {
            // Never before Retry-After; spread a little after it, so that jobs throttled together
            // do not all come back in the same instant.
            auto const spread = std::min(*outcome.retry_after / 2, std::chrono::milliseconds{2'000});
            delay = *outcome.retry_after + std::chrono::duration_cast<std::chrono::milliseconds>(
                                               spread * unit(random_));
        }
        written = co_await store_.retry(job.id, clock_.now() + delay, outcome.reason);
    }
    // If the outcome could not be written the lease runs out and the job is tried again.
    if (!written) observer_.store_failed(written.error());
    observer_.attempted(job, outcome, fate, took);
}

}  // namespace tb::bot
