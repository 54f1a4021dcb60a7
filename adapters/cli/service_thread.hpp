#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "adapters/cli/service.hpp"

namespace tb::cli {

// Service::run() on a thread of its own (for `demo`). The service stops on SIGTERM or SIGINT to
// the process, as under `serve`; stop() raises SIGTERM once the service is known to handle it.
class ServiceThread {
public:
    explicit ServiceThread(ServiceOptions options);
    ~ServiceThread();  // stop()
    ServiceThread(ServiceThread const&) = delete;
    ServiceThread& operator=(ServiceThread const&) = delete;

    // Polls GET /healthz on 127.0.0.1:port until it answers 200; false when run() ended first
    // or the time ran out. A service that answers has installed its signal handler.
    bool wait_until_serving(std::uint16_t port, std::chrono::milliseconds timeout);
    bool finished() const { return finished_.load(); }
    std::string const& failure() const {
        return failure_;
    }  // what run() threw; read after finished()

    // SIGTERM to this process, then waits for run() to drain and return. Returns its exit code
    // (1 if it threw).
    int stop();
    // Waits for run() to return after a signal from outside (Ctrl-C).
    int wait();

private:
    std::atomic<bool> serving_{false};
    std::atomic<bool> finished_{false};
    int code_ = 1;
    std::string failure_;
    std::thread thread_;  // last: starts once the members above exist
};

}  // namespace tb::cli
