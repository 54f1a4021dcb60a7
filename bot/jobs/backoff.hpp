#pragma once

#include <chrono>

namespace tb::bot {

struct BackoffPolicy {
    std::chrono::milliseconds base{1'000};
    std::chrono::milliseconds cap{std::chrono::minutes{10}};
    int max_attempts = 15;  // attempts in all, the first included; then the job is dead
};

// Delay before retry number `retry` (1 for the first retry): capped exponential growth with
// "equal jitter", half of the step fixed and half drawn from `unit_random` in [0, 1), so that
// jobs failing together do not retry together.
std::chrono::milliseconds backoff_delay(BackoffPolicy const& policy, int retry,
                                        double unit_random) noexcept;

// True when a job that has now failed `attempts` times should not be tried again.
inline bool exhausted(BackoffPolicy const& policy, int attempts) noexcept {
    return attempts >= policy.max_attempts;
}

}  // namespace tb::bot
