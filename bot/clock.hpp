#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace tb::bot {

using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

// Everything in bot/ that needs "now" asks a Clock, so tests can inject time.
class Clock {
public:
    virtual ~Clock() = default;
    virtual Instant now() const = 0;
    // What this clock read at the real instant `real`; events from Slack and Zendesk carry real
    // times. The same instant, except on a FastClock.
    virtual Instant reading(Instant real) const { return real; }
};

class SystemClock final : public Clock {
public:
    Instant now() const override {
        return std::chrono::time_point_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now());
    }
};

// For demos and tests of service levels, which otherwise take working days: real time until
// `origin`, then `speed` times faster. Every process given the same origin and speed reads the same
// time, so a restart carries on where it stopped.
class FastClock final : public Clock {
public:
    FastClock(Instant origin, std::int64_t speed) : origin_ms_{to_ms(origin)}, speed_{speed < 1 ? 1 : speed} {}
    Instant now() const override { return reading(real_.now()); }
    Instant reading(Instant real) const override {
        auto const origin = Instant{std::chrono::milliseconds{origin_ms_.load()}};
        if (real <= origin) return real;
        return origin + (real - origin) * speed_;
    }
    // Moves a later origin to `origin` (e.g. now, for a demo that speeds up part way); thread-safe.
    void speed_up_from(Instant origin) { origin_ms_.store(to_ms(origin)); }
    std::int64_t speed() const noexcept { return speed_; }

private:
    static std::int64_t to_ms(Instant t) { return t.time_since_epoch().count(); }

    SystemClock real_;
    std::atomic<std::int64_t> origin_ms_;
    std::int64_t speed_;
};

inline std::int64_t to_unix_ms(Instant t) { return t.time_since_epoch().count(); }
inline Instant from_unix_ms(std::int64_t ms) { return Instant{std::chrono::milliseconds{ms}}; }

}  // namespace tb::bot
