#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>

namespace tb::bot {

namespace asio = boost::asio;

// Serialises work per key (a Slack thread, a ticket) among coroutines on any executors:
// one holder at a time per key, waiters served in arrival order. Thread-safe.
class KeyLock {
public:
    class Guard {
    public:
        Guard() = default;
        Guard(KeyLock* lock, std::string key) : lock_{lock}, key_{std::move(key)} {}
        Guard(Guard&& other) noexcept : lock_{other.lock_}, key_{std::move(other.key_)} { other.lock_ = nullptr; }
        Guard& operator=(Guard&& other) noexcept;
        Guard(Guard const&) = delete;
        Guard& operator=(Guard const&) = delete;
        ~Guard() { unlock(); }
        void unlock();

    private:
        KeyLock* lock_ = nullptr;
        std::string key_;
    };

    KeyLock();
    ~KeyLock();
    KeyLock(KeyLock const&) = delete;
    KeyLock& operator=(KeyLock const&) = delete;

    asio::awaitable<Guard> acquire(std::string key);
    std::size_t held() const;

private:
    struct Waiter;
    void release(std::string const& key);

    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::deque<std::shared_ptr<Waiter>>> held_;
};

}  // namespace tb::bot
