#include "bot/jobs/backoff.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using tb::bot::BackoffPolicy;
using tb::bot::backoff_delay;

TEST_CASE("backoff doubles from the base and stops at the cap") {
    BackoffPolicy const policy{.base = 1s, .cap = 60s, .max_attempts = 10};
    // unit_random = 1 gives the top of each step, 0 its bottom half.
    CHECK(backoff_delay(policy, 1, 0.999999) >= 999ms);
    CHECK(backoff_delay(policy, 1, 0.0) == 500ms);
    CHECK(backoff_delay(policy, 2, 0.0) == 1000ms);
    CHECK(backoff_delay(policy, 3, 0.0) == 2000ms);
    CHECK(backoff_delay(policy, 7, 0.0) == 30s);  // 64 s step capped at 60 s
    CHECK(backoff_delay(policy, 40, 0.0) == 30s);
    CHECK(backoff_delay(policy, 1000, 1.0) == 60s);
}

TEST_CASE("jitter spreads retries that fail together") {
    BackoffPolicy const policy{};
    CHECK(backoff_delay(policy, 4, 0.1) < backoff_delay(policy, 4, 0.9));
}

TEST_CASE("a job is exhausted after max_attempts attempts") {
    BackoffPolicy const policy{.max_attempts = 3};
    CHECK_FALSE(tb::bot::exhausted(policy, 2));
    CHECK(tb::bot::exhausted(policy, 3));
}
