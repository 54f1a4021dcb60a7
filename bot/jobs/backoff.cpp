#include "bot/jobs/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace tb::bot {

std::chrono::milliseconds backoff_delay(BackoffPolicy const& policy, int retry,
                                        double unit_random) noexcept {
    auto const base = static_cast<double>(policy.base.count());
    auto const cap = static_cast<double>(policy.cap.count());
    auto const exponent = std::clamp(retry - 1, 0, 40);
    auto const step = std::min(cap, base * std::ldexp(1.0, exponent));
    auto const jitter = std::clamp(unit_random, 0.0, 1.0);
    return std::chrono::milliseconds{static_cast<std::int64_t>(step / 2 + step / 2 * jitter)};
}

}  // namespace tb::bot
