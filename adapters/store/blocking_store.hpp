#pragma once

#include <chrono>
#include <span>
#include <string>
#include <vector>

#include "bot/ports/store.hpp"

namespace tb::store {

// What became of one attempt at a job, as the runner reports it.
struct Outcome {
    enum class Kind { done, retry, dead, extend };
    bot::JobId id{};
    Kind kind = Kind::done;
    bot::Instant due{};  // retry: when the job is due again; extend: when its lease ends
    std::string reason;  // retry, dead: why it failed
};

// A request to lease up to `limit` jobs due at `now`.
struct ClaimRequest {
    std::size_t limit{};
    bot::Instant now{};
    std::chrono::seconds lease{};
    bool interactive_only = false;
};

// Everything one transaction writes, in this order: deliveries (each with its job), job
// outcomes, claims. One commit, so one fsync, covers all of it.
struct WriteBatch {
    std::span<bot::Delivery const> deliveries;
    std::span<Outcome const> outcomes;
    std::span<ClaimRequest const> claims;
    bot::Instant now{};  // when the outcomes were written
};

struct WriteResult {
    std::vector<bool> fresh;                     // per delivery: true when it was new
    std::vector<std::vector<bot::Job>> claimed;  // per claim request: the jobs it leased
};

// The synchronous half of a store: each call blocks on disk or network and is only ever made
// from the store's own threads (see AsyncStore). SQLite implements it; PostgreSQL will.
class BlockingStore {
public:
    virtual ~BlockingStore() = default;

    // Writes the whole batch in one transaction, or nothing of it. Returns once the commit is
    // durable. A claim leases each job at most once per batch; outcomes for unknown ids are
    // no-ops.
    virtual Result<WriteResult> write(WriteBatch const& batch) = 0;
    virtual Result<bot::StoreStats> stats() = 0;
    virtual Result<void> ping() = 0;

    // One-call transactions over write(), for tests and tools.
    Result<std::vector<bool>> record(std::span<bot::Delivery const> deliveries);
    Result<std::vector<bot::Job>> claim(std::size_t limit, bot::Instant now,
                                        std::chrono::seconds lease, bool interactive_only = false);
    Result<void> complete(bot::JobId id, bot::Instant now);
    Result<void> retry(bot::JobId id, bot::Instant due, std::string reason, bot::Instant now);
    Result<void> bury(bot::JobId id, std::string reason, bot::Instant now);
    Result<void> extend(bot::JobId id, bot::Instant until, bot::Instant now);

private:
    Result<void> settle(Outcome outcome, bot::Instant now);
};

}  // namespace tb::store
