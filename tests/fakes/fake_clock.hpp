#pragma once

#include <atomic>
#include <chrono>

#include "bot/clock.hpp"

namespace tb::fakes {

// A clock that moves only when told to.
class FakeClock final : public bot::Clock {
public:
    explicit FakeClock(bot::Instant start = bot::from_unix_ms(1'700'000'000'000)) : now_{bot::to_unix_ms(start)} {}
    bot::Instant now() const override { return bot::from_unix_ms(now_.load()); }
    void advance(std::chrono::milliseconds by) { now_ += by.count(); }
    void set(bot::Instant to) { now_ = bot::to_unix_ms(to); }

private:
    std::atomic<std::int64_t> now_;
};

}  // namespace tb::fakes
