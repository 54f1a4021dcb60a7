#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "bot/clock.hpp"
#include "bot/jobs/backoff.hpp"
#include "bot/ports/store.hpp"

namespace tb::bot {

// What a job handler made of one attempt.
struct JobOutcome {
    enum class Kind { done, retry, fail };
    Kind kind = Kind::done;
    std::string reason;
    // Set when the other side said when to come back (429 Retry-After); overrides backoff.
    std::optional<std::chrono::milliseconds> retry_after;
    // A rate limit, not a failure: it does not use up the job's attempts as quickly.
    bool throttled = false;
    // What the attempt showed of Slack and Zendesk: that they answer, that they do not (refused,
    // timed out, 5xx: an outage, likely not this job's fault), or nothing (a store failure).
    enum class Reach { unknown, answered, unanswered };
    Reach reach = Reach::answered;

    static JobOutcome done() { return {}; }
    static JobOutcome retry(std::string why,
                            std::optional<std::chrono::milliseconds> after = std::nullopt) {
        return {Kind::retry, std::move(why), after, false, Reach::unknown};
    }
    static JobOutcome fail(std::string why) {
        return {Kind::fail, std::move(why), std::nullopt, false, Reach::unknown};
    }
    static JobOutcome wait(std::string why, std::chrono::milliseconds after) {
        return {Kind::retry, std::move(why), after, true, Reach::unknown};
    }
    static JobOutcome unanswered(std::string why,
                                 std::optional<std::chrono::milliseconds> after = std::nullopt) {
        return {Kind::retry, std::move(why), after, false, Reach::unanswered};
    }
};

using JobHandler = std::function<asio::awaitable<JobOutcome>(Job)>;

// Told about every attempt's end, for logs and metrics (adapters implement it).
class JobObserver {
public:
    virtual ~JobObserver() = default;
    enum class Fate { done, retrying, dead };
    virtual void attempted(Job const& job, JobOutcome const& outcome, Fate fate,
                           std::chrono::milliseconds took) = 0;
    virtual void store_failed(error_code ec) = 0;
    // Bulk work paused because Slack or Zendesk stopped answering (`pause` until the next probe),
    // or resumed (`pause` zero) because a job got through again.
    virtual void outage(std::chrono::milliseconds pause, std::string_view reason) = 0;
};

struct RunnerSettings {
    std::size_t concurrency = 32;
    // Slots only commands and button presses may use, so a backlog of slow work (a Zendesk budget
    // spent, a channel paced) never keeps someone waiting on a modal or an answer.
    std::size_t reserved_for_interactive = 4;
    std::chrono::seconds lease{120};
    std::chrono::milliseconds idle_poll{1'000};
    // How long stop() waits for jobs in flight; their leases make them run again later.
    std::chrono::milliseconds drain_timeout{10'000};
    BackoffPolicy backoff;
    // When this many attempts in a row find Slack or Zendesk not answering, bulk work pauses:
    // one job at a time probes, after `outage_pause`, doubling up to `outage_pause_cap` while
    // probes fail. Queued jobs keep their attempts for when the service is back, instead of
    // spending them all (and dying) in an hour-long outage. Interactive work is not paused.
    int outage_after = 8;
    std::chrono::milliseconds outage_pause{1'000};
    std::chrono::milliseconds outage_pause_cap{60'000};
};

// Claims due jobs from the store and runs them, up to `concurrency` at a time; an outcome is
// written back before the job counts as finished, so a crash at any point only repeats work.
class JobRunner {
public:
    JobRunner(asio::any_io_executor executor, Store& store, Clock const& clock, JobHandler handler,
              JobObserver& observer, RunnerSettings settings);

    // Runs until stop(); then waits for the jobs in flight before it returns.
    asio::awaitable<void> run();
    // Thread-safe: a job from `source` was queued, look now instead of at the next poll.
    void wake(Source source);
    // Thread-safe: claim nothing more, finish what is in flight.
    void stop();

    std::size_t in_flight() const noexcept { return leases_.size(); }

private:
    struct Claimed {
        bool full = false;  // as many as there was room for: more may be waiting
    };
    asio::awaitable<void> loop();
    asio::awaitable<Claimed> claim(std::size_t room, bool interactive_only);
    asio::awaitable<void> attempt(Job job);
    bool given_up(JobOutcome const& outcome, int attempts) const;
    asio::awaitable<void> settle(Job const& job, JobOutcome const& outcome,
                                 std::chrono::milliseconds took);
    std::size_t bulk_room() const;
    void keep_leases();
    asio::awaitable<void> renew(JobId id, Instant until);
    void end_outage(std::string_view reason);
    void note_reachability(Job const& job, JobOutcome const& outcome);

    asio::strand<asio::any_io_executor> strand_;
    Store& store_;
    Clock const& clock_;
    JobHandler handler_;
    JobObserver& observer_;
    RunnerSettings settings_;
    asio::steady_timer wakeup_;
    std::mt19937_64 random_{std::random_device{}()};
    struct Lease {
        Instant until;
        bool renewing = false;
    };
    std::map<JobId, Lease> leases_;   // the jobs in flight
    std::size_t bulk_in_flight_ = 0;  // of those, the jobs nobody is waiting on
    bool stopping_ = false;
    bool woken_ = false;
    // Look for interactive work on the next turn too. A wake-up for bulk work alone skips that
    // claim: it cannot find any, and a store write per accepted event is not free.
    bool look_everywhere_ = true;
    Instant looked_interactive_{};
    std::atomic<bool> interactive_queued_{false};
    std::atomic<bool> wake_posted_{false};
    struct Outage {
        int streak = 0;                       // attempts in a row that found nobody answering
        std::chrono::milliseconds pause{0};   // zero: no outage
        Instant probe_at{};                   // when bulk work may send its next probe
        std::optional<JobId> probe;           // the probe in flight
        std::chrono::milliseconds last_pause{0};
        Instant ended_at{};
    } outage_;
};

}  // namespace tb::bot
