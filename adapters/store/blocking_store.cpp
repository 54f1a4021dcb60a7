#include "adapters/store/blocking_store.hpp"

#include <utility>

namespace tb::store {

Result<std::vector<bool>> BlockingStore::record(std::span<bot::Delivery const> deliveries) {
    WriteBatch batch;
    batch.deliveries = deliveries;
    auto written = write(batch);
    if (!written) return written.error();
    return std::move(written->fresh);
}

Result<std::vector<bot::Job>> BlockingStore::claim(std::size_t limit, bot::Instant now,
                                                   std::chrono::seconds lease, bool interactive_only) {
    ClaimRequest const request{limit, now, lease, interactive_only};
    WriteBatch batch;
    batch.claims = std::span{&request, 1};
    batch.now = now;
    auto written = write(batch);
    if (!written) return written.error();
    return std::move(written->claimed.at(0));
}

Result<void> BlockingStore::complete(bot::JobId id, bot::Instant now) {
    return settle(Outcome{id, Outcome::Kind::done, {}, {}}, now);
}

Result<void> BlockingStore::retry(bot::JobId id, bot::Instant due, std::string reason,
                                  bot::Instant now) {
    return settle(Outcome{id, Outcome::Kind::retry, due, std::move(reason)}, now);
}

Result<void> BlockingStore::bury(bot::JobId id, std::string reason, bot::Instant now) {
    return settle(Outcome{id, Outcome::Kind::dead, {}, std::move(reason)}, now);
}

Result<void> BlockingStore::extend(bot::JobId id, bot::Instant until, bot::Instant now) {
    return settle(Outcome{id, Outcome::Kind::extend, until, {}}, now);
}

Result<void> BlockingStore::settle(Outcome outcome, bot::Instant now) {
    WriteBatch batch;
    batch.outcomes = std::span{&outcome, 1};
    batch.now = now;
    auto written = write(batch);
    if (!written) return written.error();
    return {};
}

}  // namespace tb::store
