#pragma once

#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/thread_pool.hpp>

#include "adapters/store/blocking_store.hpp"
#include "bot/clock.hpp"
#include "bot/ports/store.hpp"

namespace tb::store {

namespace asio = boost::asio;

struct AsyncStoreLimits {
    std::size_t max_records = 2048;   // deliveries per transaction
    std::size_t max_outcomes = 4096;  // job outcomes per transaction
    // Jobs leased per transaction, summed over the claims in it (a larger claim is cut to
    // this), so claiming never makes an intake commit wait for a long write.
    std::size_t max_claimed = 256;
};

// bot::Store over a BlockingStore. Every write (deliveries, job outcomes, claims) that
// arrives while a transaction is being written joins the next one (group commit), so one
// fsync acknowledges many requests and settles many jobs; each caller resumes only once the
// transaction holding its write is durable. stats() and ping() run on the same thread.
class AsyncStore final : public bot::Store {
public:
    AsyncStore(std::unique_ptr<BlockingStore> backend, bot::Clock const& clock,
               AsyncStoreLimits limits = {});
    ~AsyncStore() override;

    // bot::Store
    asio::awaitable<Result<bool>> record(bot::Delivery delivery) override;
    asio::awaitable<Result<std::vector<bot::Job>>> claim_interactive(std::size_t limit, bot::Instant now,
                                                                     std::chrono::seconds lease) override;
    asio::awaitable<Result<std::vector<bot::Job>>> claim(std::size_t limit, bot::Instant now,
                                                         std::chrono::seconds lease) override;
    asio::awaitable<Result<void>> complete(bot::JobId id) override;
    asio::awaitable<Result<void>> retry(bot::JobId id, bot::Instant due,
                                        std::string reason) override;
    asio::awaitable<Result<void>> bury(bot::JobId id, std::string reason) override;
    asio::awaitable<Result<void>> extend(bot::JobId id, bot::Instant until) override;
    asio::awaitable<Result<bot::StoreStats>> stats() override;
    asio::awaitable<Result<void>> ping() override;

    // Blocks until every queued write has been committed, then stops the store thread.
    void shutdown();
    std::size_t commits() const;  // write transactions so far, for tests and benches

private:
    template <class Item, class... Values>
    struct Waiter {
        Item item;
        asio::any_io_executor executor;  // where the caller resumes
        asio::any_completion_handler<void(error_code, Values...)> handler;
        std::tuple<Values...> result{};  // set by the store thread before the caller resumes
    };
    using RecordWaiter = Waiter<bot::Delivery, bool>;
    using OutcomeWaiter = Waiter<Outcome>;
    using ClaimWaiter = Waiter<ClaimRequest, std::vector<bot::Job>>;
    struct Batch;

    template <class Item, class... Values>
    auto submit(std::vector<Waiter<Item, Values...>>& queue, Item item);
    asio::awaitable<Result<void>> settle(Outcome outcome);
    asio::awaitable<Result<std::vector<bot::Job>>> claim_jobs(ClaimRequest request);
    void take(Batch& batch);  // under mutex_
    void flush();

    std::unique_ptr<BlockingStore> backend_;
    bot::Clock const& clock_;
    AsyncStoreLimits limits_;
    asio::thread_pool pool_{1};  // one writer: SQLite has one, and batching needs one
    mutable std::mutex mutex_;
    std::vector<RecordWaiter> records_;
    std::vector<OutcomeWaiter> outcomes_;
    std::vector<ClaimWaiter> claims_;
    bool flushing_ = false;
    std::size_t commits_ = 0;
};

}  // namespace tb::store
