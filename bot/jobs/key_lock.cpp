#include "bot/jobs/key_lock.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tb::bot {

struct KeyLock::Waiter {
    explicit Waiter(asio::any_io_executor executor) : turn{std::move(executor), 1} {}
    // Buffered, so a hand-over before the waiter starts waiting is not lost.
    asio::experimental::concurrent_channel<void(boost::system::error_code)> turn;
};

KeyLock::Guard& KeyLock::Guard::operator=(Guard&& other) noexcept {
    if (this != &other) {
        unlock();
        lock_ = other.lock_;
        key_ = std::move(other.key_);
        other.lock_ = nullptr;
    }
    return *this;
}

void KeyLock::Guard::unlock() {
    if (lock_ != nullptr) lock_->release(key_);
    lock_ = nullptr;
}

KeyLock::KeyLock() = default;
KeyLock::~KeyLock() = default;

asio::awaitable<KeyLock::Guard> KeyLock::acquire(std::string key) {
    auto const executor = co_await asio::this_coro::executor;
    std::shared_ptr<Waiter> waiter;
    {
        std::lock_guard lock{mutex_};
        auto [it, fresh] = held_.try_emplace(key);
        if (!fresh) {
            waiter = std::make_shared<Waiter>(executor);
            it->second.push_back(waiter);
        }
    }
    if (waiter) {
        auto const token = asio::as_tuple(asio::use_awaitable);
        co_await waiter->turn.async_receive(token);
    }
    co_return Guard{this, std::move(key)};
}

void KeyLock::release(std::string const& key) {
    std::lock_guard lock{mutex_};
    auto const it = held_.find(key);
    if (it == held_.end()) return;
    if (it->second.empty()) {
        held_.erase(it);
        return;
    }
    auto next = std::move(it->second.front());
    it->second.pop_front();
    next->turn.try_send(boost::system::error_code{});
}

std::size_t KeyLock::held() const {
    std::lock_guard lock{mutex_};
    return held_.size();
}

}  // namespace tb::bot
