#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "bot/clock.hpp"
#include "bot/result.hpp"

namespace tb::bot {

namespace asio = boost::asio;

// Where an inbound delivery came from; also the kind of the job it becomes.
// `scheduled`: a periodic task the service asks itself for (payload: the task's name).
enum class Source { slack_event, slack_command, slack_interaction, zendesk_webhook, scheduled };

char const* to_string(Source source) noexcept;
// Commands and button presses: somebody is waiting on them.
constexpr bool is_interactive(Source source) noexcept {
    return source == Source::slack_command || source == Source::slack_interaction;
}

// One accepted inbound request, as it arrived.
struct Delivery {
    Source source{};
    std::string delivery_id;  // Slack event_id, command/interaction key, Zendesk event id
    std::string payload;      // the raw body
    Instant received_at{};
    // Answered in full on arrival (a mistaken command, `help`): recorded like any delivery, but
    // no job is queued, since none would have anything to do.
    bool answered = false;
};

using JobId = std::int64_t;

struct Job {
    JobId id{};
    Source source{};
    std::string delivery_id;
    std::string payload;
    int attempts{};  // attempts made before this one
    Instant created_at{};
};

struct StoreStats {
    std::int64_t deliveries{};
    std::int64_t jobs_pending{};
    std::int64_t jobs_running{};
    std::int64_t jobs_done{};
    std::int64_t jobs_dead{};
};

// The durable inbox and job queue. adapters/store implements it; every call may block on
// disk or network, so implementations run the work off the caller's thread.
class Store {
public:
    virtual ~Store() = default;

    // Records a delivery and queues its job in one commit, unless a delivery with the same
    // source and id was recorded before. Returns true when it was new. Completes only once
    // the commit is durable: the caller may acknowledge the delivery then.
    virtual asio::awaitable<Result<bool>> record(Delivery delivery) = 0;

    // Claims up to `limit` jobs that are due at `now`, leasing each for `lease`. A job whose
    // lease runs out without an outcome (its worker died) is claimable again.
    virtual asio::awaitable<Result<std::vector<Job>>> claim(std::size_t limit, Instant now,
                                                           std::chrono::seconds lease) = 0;
    // The same, but only work somebody is waiting on: commands and button presses. (Every claim
    // takes those first.)
    virtual asio::awaitable<Result<std::vector<Job>>> claim_interactive(std::size_t limit, Instant now,
                                                                       std::chrono::seconds lease) = 0;

    virtual asio::awaitable<Result<void>> complete(JobId id) = 0;
    // Returns the job to the queue, due at `due`, remembering why it failed.
    virtual asio::awaitable<Result<void>> retry(JobId id, Instant due, std::string reason) = 0;
    // Ends the job as dead: it failed for good and is kept with its reason.
    virtual asio::awaitable<Result<void>> bury(JobId id, std::string reason) = 0;
    // Moves a running job's lease on to `until`: it is still at work and must not be claimed
    // again. A no-op when the job is no longer running.
    virtual asio::awaitable<Result<void>> extend(JobId id, Instant until) = 0;

    virtual asio::awaitable<Result<StoreStats>> stats() = 0;
    // Succeeds when the store can be read and written.
    virtual asio::awaitable<Result<void>> ping() = 0;
};

}  // namespace tb::bot
