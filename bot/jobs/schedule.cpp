#include "bot/jobs/schedule.hpp"

#include <algorithm>
#include <random>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tb::bot {
namespace {

constexpr auto kIdle = std::chrono::seconds{1};

std::int64_t period_of(ScheduledTask const& task, Instant now) {
    auto const every = std::max<std::int64_t>(task.every.count(), 1);
    return to_unix_ms(now) / every;
}

}  // namespace

Delivery scheduled_delivery(ScheduledTask const& task, Instant now) {
    return {Source::scheduled, task.name + ":" + std::to_string(period_of(task, now)), task.name, now};
}

Delivery start_delivery(ScheduledTask const& task, Instant now, std::string const& process) {
    return {Source::scheduled, task.name + ":start:" + process, task.name, now};
}

Scheduler::Scheduler(asio::any_io_executor executor, Store& store, Clock const& clock,
                     std::vector<ScheduledTask> tasks, std::function<void()> wake)
    : store_{store}, clock_{clock}, tasks_{std::move(tasks)}, wake_{std::move(wake)}, timer_{std::move(executor)} {}

asio::awaitable<void> Scheduler::run() {
    auto const started = clock_.now();
    auto const process = std::to_string(to_unix_ms(started)) + "-" + std::to_string(std::random_device{}());
    for (auto const& task : tasks_) co_await ask(start_delivery(task, started, process));
    std::vector<std::int64_t> asked;
    for (auto const& task : tasks_) asked.push_back(period_of(task, started));
    while (!stopping_) {
        timer_.expires_after(kIdle);
        error_code ec;
        co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        auto const now = clock_.now();
        for (std::size_t i = 0; i < tasks_.size() && !stopping_; ++i) {
            auto const period = period_of(tasks_[i], now);
            if (period == asked[i]) continue;
            asked[i] = period;
            co_await ask(scheduled_delivery(tasks_[i], now));
        }
    }
}

void Scheduler::stop() {
    stopping_ = true;
    asio::dispatch(timer_.get_executor(), [this] { timer_.cancel(); });
}

asio::awaitable<void> Scheduler::ask(Delivery delivery) {
    // A store that is down now is asked again next period; the task misses one run, no more.
    auto const recorded = co_await store_.record(std::move(delivery));
    if (recorded && *recorded && wake_) wake_();
}

}  // namespace tb::bot
