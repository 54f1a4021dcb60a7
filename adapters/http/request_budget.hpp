#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>

#include <boost/asio/awaitable.hpp>

namespace tb::http {

namespace asio = boost::asio;

// A service's request budget, as a token bucket (GCRA): `per_minute` requests in any minute, of
// which a twentieth may go at once and the rest are spread evenly. A 429 or a report that nothing
// is left pauses it. Shared by every caller of one account; thread-safe.
//
// Bulk calls keep out of the last part of the burst and book no turn ahead while they wait (they
// wake when theirs might be due and ask again), so a call somebody is waiting on (a command, a
// button) finds a turn free and goes at once instead of behind seconds of queued bulk calls. Both
// lanes together still keep the budget. Waiting bulk calls go in the order they asked, each waking
// near its own turn, so none is overtaken by later ones until it gives up.
class RequestBudget {
public:
    using Clock = std::chrono::steady_clock;
    enum class Lane { interactive, bulk };

    explicit RequestBudget(int per_minute, std::chrono::milliseconds max_wait = std::chrono::seconds{2},
                           std::chrono::milliseconds bulk_max_wait = std::chrono::seconds{30});

    // Empty when a request may go now (after waiting, if its turn was near: `max_wait`, or
    // `bulk_max_wait` for bulk calls); else how long to come back after (and no turn is kept).
    asio::awaitable<std::optional<std::chrono::milliseconds>> take(Lane lane = Lane::bulk);
    // The same decision at `now`, without waiting: the wait before this request may go, or
    // nothing when it may go now. Over `max_wait` the turn is not taken.
    std::optional<std::chrono::milliseconds> reserve(Clock::time_point now, std::chrono::milliseconds max_wait,
                                                     Lane lane = Lane::bulk);

    // A bulk caller's place in line. reserve_in_line() gives it the turn only once every caller
    // ahead has gone (and then it leaves the line); until then, its estimated wait: the first
    // one's, plus a turn for each caller ahead. leave() when it stops waiting.
    using Ticket = std::uint64_t;
    Ticket join();
    void leave(Ticket ticket);
    std::optional<std::chrono::milliseconds> reserve_in_line(Ticket ticket, Clock::time_point now);

    // The service said 429 with Retry-After, or reported none left: nothing goes for `wait`.
    void pause(Clock::time_point now, std::chrono::milliseconds wait);

    int per_minute() const noexcept { return per_minute_; }

private:
    struct Turn {
        Clock::time_point due;   // on the even pace
        Clock::time_point slot;  // the earliest it may go, running ahead by the lane's tolerance
    };
    Turn next_turn(Clock::time_point now, Lane lane) const;  // under mutex_

    int per_minute_;
    std::chrono::microseconds interval_;   // between requests once the burst is spent
    std::chrono::microseconds tolerance_;  // how far ahead of time the burst may run
    std::chrono::microseconds bulk_tolerance_;  // less what is kept for interactive calls
    std::chrono::milliseconds max_wait_;
    std::chrono::milliseconds bulk_max_wait_;
    std::mutex mutex_;
    Clock::time_point theoretical_{};  // when the next request would be due at the even pace
    Clock::time_point paused_until_{};
    Ticket next_ticket_ = 0;
    std::set<Ticket> line_;  // bulk callers waiting, oldest first
};

}  // namespace tb::http
