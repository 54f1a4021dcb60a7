#include "adapters/cli/service_thread.hpp"

#include <csignal>

#include "adapters/cli/demo_calls.hpp"

namespace tb::cli {

ServiceThread::ServiceThread(ServiceOptions options)
    : thread_{[this, options = std::move(options)]() mutable {
          try {
              Service service{std::move(options)};
              code_ = service.run();
          } catch (std::exception const& e) {
              failure_ = e.what();
          }
          finished_.store(true);
      }} {}

ServiceThread::~ServiceThread() { stop(); }

bool ServiceThread::wait_until_serving(std::uint16_t port, std::chrono::milliseconds timeout) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    while (!finished() && std::chrono::steady_clock::now() < deadline) {
        if (demo::loopback_get(port, "/healthz", std::chrono::milliseconds{500}).status == 200) {
            serving_.store(true);
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    return false;
}

int ServiceThread::stop() {
    if (!thread_.joinable()) return code_;
    // Before the service installs its handler, SIGTERM would end the whole process: a service
    // that has not answered yet gets a few seconds more, then is stopped all the same.
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds{5};
    while (!serving_.load() && !finished() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    if (!finished()) std::raise(SIGTERM);
    return wait();
}

int ServiceThread::wait() {
    if (thread_.joinable()) thread_.join();
    return code_;
}

}  // namespace tb::cli
