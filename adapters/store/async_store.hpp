#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/thread_pool.hpp>

#include "adapters/store/blocking_store.hpp"
#include "bot/clock.hpp"
#include "bot/ports/store.hpp"

namespace tb::store {

namespace asio = boost::asio;

// bot::Store over a BlockingStore: calls run on the store's own threads, and deliveries that
// arrive while a commit is in progress are written together in the next one (group commit),
// so one fsync acknowledges many requests.
class AsyncStore final : public bot::Store {
public:
    AsyncStore(std::unique_ptr<BlockingStore> backend, bot::Clock const& clock,
               std::size_t threads = 1, std::size_t max_batch = 2048);
    ~AsyncStore() override;

    // bot::Store
    asio::awaitable<Result<bool>> record(bot::Delivery delivery) override;
    asio::awaitable<Result<std::vector<bot::Job>>> claim(std::size_t limit, bot::Instant now,
                                                         std::chrono::seconds lease) override;
    asio::awaitable<Result<void>> complete(bot::JobId id) override;
    asio::awaitable<Result<void>> retry(bot::JobId id, bot::Instant due,
                                        std::string reason) override;
    asio::awaitable<Result<void>> bury(bot::JobId id, std::string reason) override;
    asio::awaitable<Result<bot::StoreStats>> stats() override;
    asio::awaitable<Result<void>> ping() override;

    // Blocks until every queued write has been committed, then stops the store threads.
    void shutdown();
    std::size_t commits() const;  // transactions written for deliveries, for tests and benches

private:
    struct Waiter {
        bot::Delivery delivery;
        asio::any_io_executor executor;  // where the caller resumes
        asio::any_completion_handler<void(error_code, bool)> handler;
    };
    void flush();

    std::unique_ptr<BlockingStore> backend_;
    bot::Clock const& clock_;
    std::size_t max_batch_;
    asio::thread_pool pool_;
    mutable std::mutex mutex_;
    std::vector<Waiter> queue_;
    bool flushing_ = false;
    std::size_t commits_ = 0;
};

}  // namespace tb::store
