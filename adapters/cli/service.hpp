#pragma once

#include <memory>

#include "bot/config/settings.hpp"

namespace tb::cli {

struct ServiceOptions {
    bot::Settings settings;
    bot::Secrets secrets;
    std::size_t network_threads = 1;
};

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
