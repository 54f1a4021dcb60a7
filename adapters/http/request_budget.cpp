#include "adapters/http/request_budget.hpp"

#include <algorithm>
#include <iterator>

#include <boost/asio/error.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tb::http {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;

// The burst and the even pace together never exceed `per_minute` in any sliding minute.
int burst_of(int per_minute) { return std::max(1, per_minute / 20); }

// The part of the burst only interactive calls may use: about a second of turns.
constexpr milliseconds kInteractiveHeadroom{1000};

// How soon the second caller in line asks again while the first one's turn is overdue.
constexpr milliseconds kOverdueRecheck{5};

}  // namespace

RequestBudget::RequestBudget(int per_minute, milliseconds max_wait, milliseconds bulk_max_wait)
    : per_minute_{std::max(1, per_minute)},
      // Rounded up: a microsecond short each time would let one more into a minute.
      interval_{(microseconds{std::chrono::minutes{1}} + microseconds{per_minute_ - burst_of(per_minute_)}) /
                (per_minute_ - burst_of(per_minute_) + 1)},
      tolerance_{interval_ * (burst_of(per_minute_) - 1)},
      bulk_tolerance_{std::max(microseconds{0}, tolerance_ - microseconds{kInteractiveHeadroom})},
      max_wait_{max_wait},
      bulk_max_wait_{bulk_max_wait} {}

RequestBudget::Turn RequestBudget::next_turn(Clock::time_point now, Lane lane) const {
    auto const due = std::max({theoretical_, now, paused_until_});
    auto const ahead = lane == Lane::interactive ? tolerance_ : bulk_tolerance_;
    return {due, std::max({due - ahead, now, paused_until_})};
}

std::optional<milliseconds> RequestBudget::reserve(Clock::time_point now, milliseconds max_wait, Lane lane) {
    std::lock_guard lock{mutex_};
    auto const [due, slot] = next_turn(now, lane);
    if (slot - now > max_wait) return std::chrono::ceil<milliseconds>(slot - now);
    theoretical_ = due + interval_;
    if (slot <= now) return std::nullopt;
    return std::chrono::ceil<milliseconds>(slot - now);
}

RequestBudget::Ticket RequestBudget::join() {
    std::lock_guard lock{mutex_};
    line_.insert(next_ticket_);
    return next_ticket_++;
}

void RequestBudget::leave(Ticket ticket) {
    std::lock_guard lock{mutex_};
    line_.erase(ticket);
}

std::optional<milliseconds> RequestBudget::reserve_in_line(Ticket ticket, Clock::time_point now) {
    std::lock_guard lock{mutex_};
    auto const place = line_.find(ticket);
    auto const ahead = std::distance(line_.begin(), place);
    auto const [due, slot] = next_turn(now, Lane::bulk);
    if (ahead == 0 && slot <= now) {
        theoretical_ = due + interval_;
        if (place != line_.end()) line_.erase(place);
        return std::nullopt;
    }
    // A turn is free but the first caller has not taken it yet (it woke late): count from its
    // turn being now, and let the next ask again soon, so the line does not fall behind the pace.
    if (slot <= now && ahead == 1) return kOverdueRecheck;
    auto const turn = slot <= now ? now + interval_ * (ahead - 1) : slot + interval_ * ahead;
    return std::max(milliseconds{1}, std::chrono::ceil<milliseconds>(turn - now));
}

void RequestBudget::pause(Clock::time_point now, milliseconds wait) {
    std::lock_guard lock{mutex_};
    paused_until_ = std::max(paused_until_, now + wait);
    // After a pause the pace starts again from its end, with no burst saved up.
    theoretical_ = std::max(theoretical_, paused_until_ + tolerance_);
}

asio::awaitable<std::optional<milliseconds>> RequestBudget::take(Lane lane) {
    auto const executor = co_await asio::this_coro::executor;
    asio::steady_timer timer{executor};
    boost::system::error_code ignored;
    auto const start = Clock::now();
    if (lane == Lane::interactive) {  // its turn is booked: even if the wait is cancelled, it goes
        auto const wait = reserve(start, max_wait_, lane);
        if (!wait) co_return std::nullopt;
        if (*wait > max_wait_) co_return wait;
        timer.expires_at(start + *wait);
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        co_return std::nullopt;
    }
    struct Place {
        RequestBudget& budget;
        Ticket ticket;
        ~Place() { budget.leave(ticket); }
    } const place{*this, join()};
    while (true) {
        auto const now = Clock::now();
        auto const wait = reserve_in_line(place.ticket, now);
        if (!wait) co_return std::nullopt;
        // Past the limit the job comes back later; not at once, or it would only queue again.
        if (now + *wait - start > bulk_max_wait_) co_return std::max(*wait, milliseconds{1000});
        timer.expires_at(now + *wait);
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        if (ignored == asio::error::operation_aborted) co_return wait;
    }
}

}  // namespace tb::http
