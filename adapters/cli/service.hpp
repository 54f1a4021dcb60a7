#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "bot/clock.hpp"
#include "bot/config/settings.hpp"

namespace tb::cli {

struct ServiceOptions {
    bot::Settings settings;
    bot::Secrets secrets;
    std::size_t network_threads = 1;
    // The time SLA clocks run on (unset: real time); a FastClock for demos and tests.
    std::shared_ptr<bot::Clock const> sla_clock;
    std::chrono::milliseconds sla_scan_every{std::chrono::minutes{1}};
};

// SLA time `speed` times faster than real time from `origin` on, scanned often enough to see it.
std::shared_ptr<bot::FastClock> run_sla_faster(ServiceOptions& options, bot::Instant origin, std::int64_t speed);

// The running service: HTTP intake, durable store, job runner. run() blocks until SIGTERM or
// SIGINT, then stops accepting, answers what is in flight, commits, and returns 0.
class Service {
public:
    explicit Service(ServiceOptions options);
    ~Service();
    int run();

private:
    struct Parts;
    ServiceOptions options_;
};

}  // namespace tb::cli
