#pragma once

#include <chrono>
#include <mutex>
#include <optional>

#include <boost/asio/awaitable.hpp>

namespace tb::http {

namespace asio = boost::asio;

// A service's request budget, as a token bucket (GCRA): `per_minute` requests in any minute, of
// which a twentieth may go at once and the rest are spread evenly. A 429 or a report that nothing
// is left pauses it. Shared by every caller of one account; thread-safe.
class RequestBudget {
public:
    using Clock = std::chrono::steady_clock;

    explicit RequestBudget(int per_minute, std::chrono::milliseconds max_wait = std::chrono::seconds{2});

    // Empty when a request may go now (after waiting, if its turn was near); else how long to
    // come back after (and no turn is kept), so a backlog never holds the callers' slots.
    asio::awaitable<std::optional<std::chrono::milliseconds>> take();
    // The same decision at `now`, without waiting: the wait before this request may go, or
    // nothing when it may go now. Over `max_wait` the turn is not taken.
    std::optional<std::chrono::milliseconds> reserve(Clock::time_point now, std::chrono::milliseconds max_wait);

    // The service said 429 with Retry-After, or reported none left: nothing goes for `wait`.
    void pause(Clock::time_point now, std::chrono::milliseconds wait);

    int per_minute() const noexcept { return per_minute_; }

private:
    int per_minute_;
    std::chrono::microseconds interval_;   // between requests once the burst is spent
    std::chrono::microseconds tolerance_;  // how far ahead of time the burst may run
    std::chrono::milliseconds max_wait_;
    std::mutex mutex_;
    Clock::time_point theoretical_{};  // when the next request would be due at the even pace
    Clock::time_point paused_until_{};
};

}  // namespace tb::http
