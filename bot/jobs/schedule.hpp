#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bot/clock.hpp"
#include "bot/ports/store.hpp"

namespace tb::bot {

// Work the service asks itself for now and then, such as catching up with Zendesk.
struct ScheduledTask {
    std::string name;
    std::chrono::milliseconds every{};
};

// The delivery asking for `task` in the period that holds `now`. Every replica asks for the
// same one, so the store's deduplication makes it one job per period, however many ask.
Delivery scheduled_delivery(ScheduledTask const& task, Instant now);
// The delivery asking for `task` when a process starts, whatever the period.
Delivery start_delivery(ScheduledTask const& task, Instant now, std::string const& process);

// Records each task's deliveries: once at start, then every period, until stopped. The job
// runner does the work, with its retries and leases.
class Scheduler {
public:
    Scheduler(asio::any_io_executor executor, Store& store, Clock const& clock, std::vector<ScheduledTask> tasks,
              std::function<void()> wake);

    asio::awaitable<void> run();
    void stop();  // thread-safe

private:
    asio::awaitable<void> ask(Delivery delivery);

    Store& store_;
    Clock const& clock_;
    std::vector<ScheduledTask> tasks_;
    std::function<void()> wake_;
    asio::steady_timer timer_;
    std::atomic<bool> stopping_ = false;
};

}  // namespace tb::bot
