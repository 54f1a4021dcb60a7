#pragma once

#include <chrono>

namespace tb::bot {

using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

// Everything in bot/ that needs "now" asks a Clock, so tests can inject time.
class Clock {
public:
    virtual ~Clock() = default;
    virtual Instant now() const = 0;
};

class SystemClock final : public Clock {
public:
    Instant now() const override {
        return std::chrono::time_point_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now());
    }
};

inline std::int64_t to_unix_ms(Instant t) { return t.time_since_epoch().count(); }
inline Instant from_unix_ms(std::int64_t ms) { return Instant{std::chrono::milliseconds{ms}}; }

}  // namespace tb::bot
