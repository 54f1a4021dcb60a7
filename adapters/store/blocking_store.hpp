#pragma once

#include <chrono>
#include <span>
#include <vector>

#include "bot/ports/store.hpp"

namespace tb::store {

// The synchronous half of a store: each call blocks on disk or network and is only ever made
// from the store's own threads (see AsyncStore). SQLite implements it; PostgreSQL will.
class BlockingStore {
public:
    virtual ~BlockingStore() = default;

    // All deliveries in one transaction; per delivery, true when it was new.
    virtual Result<std::vector<bool>> record(std::span<bot::Delivery const> deliveries) = 0;
    virtual Result<std::vector<bot::Job>> claim(std::size_t limit, bot::Instant now,
                                                std::chrono::seconds lease) = 0;
    virtual Result<void> complete(bot::JobId id, bot::Instant now) = 0;
    virtual Result<void> retry(bot::JobId id, bot::Instant due, std::string const& reason,
                               bot::Instant now) = 0;
    virtual Result<void> bury(bot::JobId id, std::string const& reason, bot::Instant now) = 0;
    virtual Result<bot::StoreStats> stats() = 0;
    virtual Result<void> ping() = 0;
};

}  // namespace tb::store
