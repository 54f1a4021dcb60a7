#include "bot/jobs/schedule.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "tests/fakes/fake_clock.hpp"
#include "tests/fakes/memory_store.hpp"

using namespace std::chrono_literals;
using tb::bot::ScheduledTask;

TEST_CASE("schedule: one delivery per task and period, whoever asks, and a fresh one at each start") {
    ScheduledTask const task{"zendesk_catch_up", 5min};
    auto const t0 = tb::bot::from_unix_ms(1'700'000'200'000);  // 100 s into a 5-minute period
    auto const same = tb::bot::scheduled_delivery(task, t0 + 150s);
    CHECK(tb::bot::scheduled_delivery(task, t0).delivery_id == same.delivery_id);
    CHECK(tb::bot::scheduled_delivery(task, t0 + 250s).delivery_id != same.delivery_id);
    CHECK(same.source == tb::bot::Source::scheduled);
    CHECK(same.payload == "zendesk_catch_up");
    CHECK(tb::bot::start_delivery(task, t0, "p1").delivery_id != tb::bot::start_delivery(task, t0, "p2").delivery_id);
}

TEST_CASE("schedule: the scheduler asks at start, then once when the period turns, and stops") {
    boost::asio::io_context io;
    tb::fakes::FakeClock clock;
    tb::fakes::MemoryStore store;
    int woken = 0;
    tb::bot::Scheduler scheduler{io.get_executor(), store, clock, {{"zendesk_catch_up", 5min}}, [&] { ++woken; }};
    boost::asio::co_spawn(io, scheduler.run(), boost::asio::detached);
    boost::asio::steady_timer later{io};
    later.expires_after(1200ms);
    later.async_wait([&](auto) {
        CHECK(store.rows().size() == 1);  // the start; same period since
        clock.advance(5min);
    });
    boost::asio::steady_timer end{io};
    end.expires_after(2400ms);
    end.async_wait([&](auto) { scheduler.stop(); });
    io.run();
    auto const rows = store.rows();
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].job.delivery_id.find(":start:") != std::string::npos);
    CHECK(rows[1].job.delivery_id == tb::bot::scheduled_delivery({"zendesk_catch_up", 5min}, clock.now()).delivery_id);
    CHECK(woken == 2);
}
