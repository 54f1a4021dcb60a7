#include "adapters/store/async_store.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include "adapters/http/types.hpp"
#include "adapters/store/run_blocking.hpp"

namespace tb::store {

using http::use_nothrow;

AsyncStore::AsyncStore(std::unique_ptr<BlockingStore> backend, bot::Clock const& clock,
                       std::size_t threads, std::size_t max_batch)
    : backend_{std::move(backend)}, clock_{clock}, max_batch_{max_batch}, pool_{threads} {}

AsyncStore::~AsyncStore() { shutdown(); }

void AsyncStore::shutdown() {
    pool_.join();  // runs every queued flush and call to its end
}

std::size_t AsyncStore::commits() const {
    std::lock_guard lock{mutex_};
    return commits_;
}

asio::awaitable<Result<bool>> AsyncStore::record(bot::Delivery delivery) {
    auto initiation = [this](auto handler, bot::Delivery d) {
        auto executor = asio::prefer(asio::get_associated_executor(handler, pool_.get_executor()),
                                     asio::execution::outstanding_work.tracked);
        bool start = false;
        {
            std::lock_guard lock{mutex_};
            queue_.push_back(Waiter{std::move(d), executor, std::move(handler)});
            start = !std::exchange(flushing_, true);
        }
        if (start) asio::post(pool_, [this] { flush(); });
    };
    auto [ec, fresh] = co_await asio::async_initiate<decltype(use_nothrow), void(error_code, bool)>(
        initiation, use_nothrow, std::move(delivery));
    if (ec) co_return Result<bool>{boost::system::in_place_error, ec};
    co_return Result<bool>{boost::system::in_place_value, fresh};
}

void AsyncStore::flush() {
    std::vector<Waiter> batch;
    {
        std::lock_guard lock{mutex_};
        if (queue_.size() <= max_batch_) {
            batch.swap(queue_);
        } else {
            auto const split = queue_.begin() + static_cast<std::ptrdiff_t>(max_batch_);
            batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(split));
            queue_.erase(queue_.begin(), split);
        }
    }
    std::vector<bot::Delivery> deliveries;
    deliveries.reserve(batch.size());
    for (auto& w : batch) deliveries.push_back(std::move(w.delivery));
    auto const written = backend_->record(deliveries);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        error_code const ec = written ? error_code{} : written.error();
        bool const fresh = written && (*written)[i];
        auto& w = batch[i];
        asio::post(w.executor, [h = std::move(w.handler), ec, fresh]() mutable {
            std::move(h)(ec, fresh);
        });
    }
    // One batch per turn, so claims and completions queued meanwhile get the thread too.
    std::lock_guard lock{mutex_};
    ++commits_;
    if (queue_.empty()) {
        flushing_ = false;
    } else {
        asio::post(pool_, [this] { flush(); });
    }
}

asio::awaitable<Result<std::vector<bot::Job>>> AsyncStore::claim(std::size_t limit, bot::Instant now,
                                                                 std::chrono::seconds lease) {
    auto call = [this, limit, now, lease] { return backend_->claim(limit, now, lease); };
    co_return co_await run_blocking(pool_.get_executor(), std::move(call));
}

asio::awaitable<Result<void>> AsyncStore::complete(bot::JobId id) {
    auto call = [this, id] { return backend_->complete(id, clock_.now()); };
    co_return co_await run_blocking(pool_.get_executor(), std::move(call));
}

asio::awaitable<Result<void>> AsyncStore::retry(bot::JobId id, bot::Instant due, std::string reason) {
    auto call = [this, id, due, reason = std::move(reason)] {
        return backend_->retry(id, due, reason, clock_.now());
    };
    co_return co_await run_blocking(pool_.get_executor(), std::move(call));
}

asio::awaitable<Result<void>> AsyncStore::bury(bot::JobId id, std::string reason) {
    auto call = [this, id, reason = std::move(reason)] { return backend_->bury(id, reason, clock_.now()); };
    co_return co_await run_blocking(pool_.get_executor(), std::move(call));
}

asio::awaitable<Result<bot::StoreStats>> AsyncStore::stats() {
    auto call = [this] { return backend_->stats(); };
    co_return co_await run_blocking(pool_.get_executor(), std::move(call));
}

asio::awaitable<Result<void>> AsyncStore::ping() {
    auto call = [this] { return backend_->ping(); };
    co_return co_await run_blocking(pool_.get_executor(), std::move(call));
}

}  // namespace tb::store
