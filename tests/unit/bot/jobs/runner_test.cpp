#include "bot/jobs/runner.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bot/tickets/ticket_flows.hpp"
#include "tests/fakes/fake_clock.hpp"
#include "tests/fakes/memory_store.hpp"

namespace {

using namespace std::chrono_literals;
using tb::bot::Job;
using tb::bot::JobObserver;
using tb::bot::JobOutcome;
namespace asio = boost::asio;

struct RecordingObserver final : JobObserver {
    std::vector<std::pair<tb::bot::JobId, Fate>> fates;
    std::vector<std::string> reasons;
    void attempted(Job const& job, JobOutcome const& outcome, Fate fate, std::chrono::milliseconds) override {
        fates.emplace_back(job.id, fate);
        reasons.push_back(outcome.reason);
    }
    void store_failed(tb::error_code) override {}
    std::vector<std::chrono::milliseconds> pauses;
    void outage(std::chrono::milliseconds pause, std::string_view) override { pauses.push_back(pause); }
};

// What a runner needs around it, for tests that drive the loop themselves.
struct Parts {
    asio::io_context io;
    tb::fakes::FakeClock clock;
    tb::fakes::MemoryStore store;
    RecordingObserver observer;
};

struct Harness : Parts {
    std::map<tb::bot::JobId, int> calls;
    std::function<JobOutcome(Job const&, int)> behaviour;
    std::optional<tb::bot::JobRunner> runner;
    bool finished = false;

    explicit Harness(tb::bot::BackoffPolicy backoff, tb::bot::RunnerSettings settings = {}) {
        settings.idle_poll = 1ms;
        settings.backoff = backoff;
        auto handler = [this](Job job) -> asio::awaitable<JobOutcome> {
            co_return behaviour(job, ++calls[job.id]);
        };
        runner.emplace(io.get_executor(), store, clock, handler, observer, settings);
        asio::co_spawn(io, runner->run(), [this](std::exception_ptr) { finished = true; });
    }
    void add(std::string id) {
        auto record = store.record({tb::bot::Source::slack_event, std::move(id), "{}", clock.now()});
        asio::co_spawn(io, std::move(record), asio::detached);
    }
    // Runs the loop while moving the fake clock on, so retries fall due.
    void run_for(std::chrono::milliseconds simulated, std::chrono::milliseconds step = 1s) {
        for (auto t = 0ms; t < simulated; t += step) {
            io.run_for(2ms);
            clock.advance(step);
        }
        io.run_for(5ms);
    }
};

}  // namespace

TEST_CASE("runner: a job that succeeds is completed once") {
    Harness h{{}};
    h.behaviour = [](Job const&, int) { return JobOutcome::done(); };
    h.add("Ev1");
    h.add("Ev2");
    h.run_for(3s);
    CHECK(h.calls.size() == 2);
    CHECK(h.calls[1] == 1);
    CHECK(h.store.row(1).state == "done");
    CHECK(h.store.row(2).state == "done");
}

TEST_CASE("runner: failures are retried with backoff until they succeed") {
    Harness h{{.base = 1s, .cap = 8s, .max_attempts = 10}};
    h.behaviour = [](Job const&, int call) {
        return call < 3 ? JobOutcome::retry("zendesk answered 500") : JobOutcome::done();
    };
    h.add("Ev1");
    h.io.run_for(5ms);
    CHECK(h.calls[1] == 1);
    CHECK(h.store.row(1).state == "pending");
    CHECK(h.store.row(1).last_error == "zendesk answered 500");
    // The first retry is due 0.5-1 s later: not before.
    CHECK(h.store.row(1).due > h.clock.now() + 499ms);
    h.run_for(10s, 250ms);
    CHECK(h.calls[1] == 3);
    CHECK(h.store.row(1).state == "done");
}

TEST_CASE("runner: a retry_after from the other side overrides the backoff") {
    Harness h{{.base = 1s, .cap = 8s, .max_attempts = 10}};
    h.behaviour = [](Job const&, int call) {
        return call == 1 ? JobOutcome::retry("429", std::chrono::milliseconds{30'000}) : JobOutcome::done();
    };
    h.add("Ev1");
    h.io.run_for(5ms);
    // Never before Retry-After; spread by up to 2 s after it.
    CHECK(h.store.row(1).due >= h.clock.now() + 30s);
    CHECK(h.store.row(1).due <= h.clock.now() + 32s);
    h.run_for(20s);
    CHECK(h.calls[1] == 1);
    h.run_for(15s);
    CHECK(h.calls[1] == 2);
}

TEST_CASE("runner: rate limits do not use up a job's attempts like failures do") {
    Harness h{{.base = 1s, .cap = 2s, .max_attempts = 3}};
    h.behaviour = [](Job const&, int call) {
        return call <= 8 ? JobOutcome::wait("ratelimited", 1s) : JobOutcome::done();
    };
    h.add("Ev1");
    h.run_for(40s, 500ms);
    CHECK(h.calls[1] == 9);
    CHECK(h.store.row(1).state == "done");
}

TEST_CASE("runner: a job that keeps failing ends dead with its reason, never dropped") {
    Harness h{{.base = 1s, .cap = 2s, .max_attempts = 4}};
    h.behaviour = [](Job const&, int) { return JobOutcome::retry("connection refused"); };
    h.add("Ev1");
    h.run_for(30s, 500ms);
    CHECK(h.calls[1] == 4);
    CHECK(h.store.row(1).state == "dead");
    CHECK(h.store.row(1).last_error == "connection refused");
    REQUIRE_FALSE(h.observer.fates.empty());
    CHECK(h.observer.fates.back().second == JobObserver::Fate::dead);
}

TEST_CASE("runner: a permanent failure is dead at once, and an exception counts as a retry") {
    Harness h{{.base = 1s, .cap = 2s, .max_attempts = 5}};
    h.behaviour = [](Job const& job, int call) -> JobOutcome {
        if (job.delivery_id == "Ev-bad") return JobOutcome::fail("zendesk 422: subject is too long");
        if (call == 1) throw std::runtime_error("boom");
        return JobOutcome::done();
    };
    h.add("Ev-bad");
    h.add("Ev-throws");
    h.run_for(5s, 500ms);
    CHECK(h.calls[1] == 1);
    CHECK(h.store.row(1).state == "dead");
    CHECK(h.calls[2] == 2);
    CHECK(h.store.row(2).state == "done");
    CHECK(h.store.row(2).last_error.find("boom") != std::string::npos);
}

TEST_CASE("runner: stop() lets jobs in flight finish and returns") {
    Harness h{{}};
    h.behaviour = [](Job const&, int) { return JobOutcome::done(); };
    h.add("Ev1");
    h.io.run_for(5ms);
    h.runner->stop();
    h.io.run_for(50ms);
    CHECK(h.finished);
    CHECK(h.store.row(1).state == "done");
}

TEST_CASE("runner: a backlog of slow work leaves slots for commands and button presses, which go first") {
    Parts parts;
    auto& [io, clock, store, observer] = parts;
    std::vector<std::string> started;
    std::vector<std::shared_ptr<asio::steady_timer>> slow;  // bulk jobs wait on these until released
    bool released = false;
    tb::bot::RunnerSettings settings;
    settings.idle_poll = 1ms;
    settings.concurrency = 4;
    settings.reserved_for_interactive = 1;
    auto handler = [&](Job job) -> asio::awaitable<JobOutcome> {
        started.push_back(job.delivery_id);
        if (!tb::bot::is_interactive(job.source) && !released) {
            auto timer = std::make_shared<asio::steady_timer>(io, std::chrono::hours{1});
            slow.push_back(timer);
            tb::error_code ignored;
            co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        }
        co_return JobOutcome::done();
    };
    auto const add = [&](tb::bot::Source source, std::string id) {
        asio::co_spawn(io, store.record({source, std::move(id), "{}", clock.now()}), asio::detached);
    };
    for (int i = 0; i < 10; ++i) add(tb::bot::Source::slack_event, "Ev" + std::to_string(i));
    tb::bot::JobRunner runner{io.get_executor(), store, clock, handler, observer, settings};
    asio::co_spawn(io, runner.run(), asio::detached);
    io.run_for(50ms);
    CHECK(started.size() == 3);  // four slots, one kept
    CHECK(runner.in_flight() == 3);

    add(tb::bot::Source::slack_command, "cmd");
    add(tb::bot::Source::slack_event, "EvLate");
    add(tb::bot::Source::slack_interaction, "press");
    io.run_for(50ms);
    REQUIRE(started.size() == 5);
    CHECK(started[3] == "cmd");
    CHECK(started[4] == "press");

    released = true;  // the backlog moves again
    for (auto const& timer : slow) timer->cancel();
    io.run_for(100ms);
    CHECK(started.size() == 13);
    runner.stop();
    io.run_for(50ms);
}

TEST_CASE("runner: while Slack or Zendesk does not answer, one job probes and the rest keep their attempts") {
    tb::bot::RunnerSettings settings;
    settings.concurrency = 4;
    settings.reserved_for_interactive = 1;
    settings.outage_after = 3;
    settings.outage_pause = 2s;
    settings.outage_pause_cap = 8s;
    Harness h{{.base = 1s, .cap = 2s, .max_attempts = 15}, settings};
    bool down = true;
    int attempts_while_down = 0;
    h.behaviour = [&](Job const& job, int) {
        if (!down || job.source == tb::bot::Source::slack_command) return JobOutcome::done();
        ++attempts_while_down;
        return JobOutcome::unanswered("zendesk: unavailable (connect failed)");
    };
    for (int i = 0; i < 40; ++i) h.add("Ev" + std::to_string(i));
    // 40 s of outage. Without the pause every job would be tried every 1-2 s: hundreds of
    // attempts, and each job would be dead after 15 of them.
    h.run_for(40s, 250ms);
    CHECK(attempts_while_down <= 3 + 8);  // the first three slots, then one probe per pause
    REQUIRE(h.observer.pauses.size() >= 3);
    CHECK(h.observer.pauses[0] == 2s);
    CHECK(h.observer.pauses[1] == 4s);
    CHECK(h.observer.pauses[2] == 8s);
    CHECK(h.observer.pauses.back() == 8s);  // capped
    for (int id = 1; id <= 40; ++id) CHECK(h.store.row(id).state == "pending");

    // A command is not held back by the pause: someone is waiting on it. That it got through
    // (Slack answered it) does not end the outage: only the probe speaks for it.
    asio::co_spawn(h.io, h.store.record({tb::bot::Source::slack_command, "cmd", "{}", h.clock.now()}),
                   asio::detached);
    h.io.run_for(20ms);
    CHECK(h.calls[41] == 1);
    CHECK(h.store.row(41).state == "done");
    CHECK(h.observer.pauses.back() == 8s);
    h.run_for(3s, 250ms);
    CHECK(h.store.row(1).state == "pending");

    // Back: the next probe gets through, and the backlog runs at full speed.
    down = false;
    h.run_for(20s, 250ms);
    CHECK(h.observer.pauses.back() == 0ms);
    for (int id = 1; id <= 40; ++id) CHECK(h.store.row(id).state == "done");
}

TEST_CASE("runner: an outage that comes back soon after a probe got through picks up its pause") {
    tb::bot::RunnerSettings settings;
    settings.concurrency = 2;
    settings.reserved_for_interactive = 1;
    settings.outage_after = 2;
    settings.outage_pause = 1s;
    settings.outage_pause_cap = 60s;
    Harness h{{.base = 1s, .cap = 2s, .max_attempts = 50}, settings};
    int answered = 0;  // how many attempts may still get through
    h.behaviour = [&](Job const&, int) {
        if (answered > 0) {
            --answered;
            return JobOutcome::done();
        }
        return JobOutcome::unanswered("slack: no_answer (connect failed)");
    };
    for (int i = 0; i < 10; ++i) h.add("Ev" + std::to_string(i));
    h.run_for(8s, 250ms);  // pauses 1, 2, 4 s
    REQUIRE(h.observer.pauses.size() >= 3);
    CHECK(h.observer.pauses[2] == 4s);
    answered = 1;  // one probe gets through (a job that called nobody, say): the pause ends
    h.run_for(10s, 250ms);
    REQUIRE(std::find(h.observer.pauses.begin(), h.observer.pauses.end(), 0ms) != h.observer.pauses.end());
    // ...and the next outage starts from the last pause, not from a second.
    auto const resumed = std::find(h.observer.pauses.begin(), h.observer.pauses.end(), 0ms);
    REQUIRE(resumed + 1 != h.observer.pauses.end());
    CHECK(*(resumed + 1) >= 4s);
}

TEST_CASE("runner: failures that are answers (4xx, rate limits) or scattered ones do not pause the work") {
    tb::bot::RunnerSettings settings;
    settings.outage_after = 3;
    Harness h{{.base = 1s, .cap = 2s, .max_attempts = 15}, settings};
    using tb::bot::ApiError;
    using tb::bot::outcome_of;
    h.behaviour = [](Job const& job, int call) {
        if (job.delivery_id.ends_with("-bad")) {
            return outcome_of(tb::bot::api_error(ApiError::Kind::rejected, "HTTP 422"), "create ticket");
        }
        if (job.delivery_id.ends_with("-conflict") && call == 1) {
            return outcome_of(tb::bot::api_error(ApiError::Kind::unavailable, "update conflict"), "update");
        }
        if (job.delivery_id.ends_with("-slow") && call == 1) {
            return outcome_of(tb::bot::api_error(ApiError::Kind::rate_limited, "ratelimited", 1s), "post");
        }
        if (call == 1) return outcome_of(tb::bot::no_answer("HTTP 503"), "replies");
        return JobOutcome::done();
    };
    // Unanswered attempts never come three in a row: each pair is broken by an answer.
    char const* const answers[] = {"-bad", "-slow", "-conflict"};
    for (int i = 0; i < 6; ++i) {
        h.add("Ev" + std::to_string(i));
        h.add("Ev" + std::to_string(i) + answers[i % 3]);
        h.io.run_for(5ms);
    }
    h.run_for(10s, 250ms);
    CHECK(h.observer.pauses.empty());
    for (int id = 1; id <= 12; ++id) CHECK(h.store.row(id).state != "pending");
}

TEST_CASE("runner: a job still at work when its lease would run out keeps it, and is not run twice") {
    Parts parts;
    auto& [io, clock, store, observer] = parts;
    int started = 0;
    bool released = false;
    asio::steady_timer hold{io, std::chrono::hours{1}};
    // The job waits (a spent budget, a slow API) until released: longer than its lease.
    auto handler = [&](Job) -> asio::awaitable<JobOutcome> {
        ++started;
        tb::error_code ignored;
        while (!released) co_await hold.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        co_return JobOutcome::done();
    };
    tb::bot::RunnerSettings settings;
    settings.idle_poll = 1ms;
    settings.lease = 10s;
    asio::co_spawn(io, store.record({tb::bot::Source::slack_event, "Ev1", "{}", clock.now()}), asio::detached);
    tb::bot::JobRunner runner{io.get_executor(), store, clock, handler, observer, settings};
    asio::co_spawn(io, runner.run(), asio::detached);
    for (int step = 0; step < 60; ++step) {  // a minute of the clock: six leases
        io.run_for(2ms);
        clock.advance(1s);
    }
    io.run_for(5ms);
    CHECK(started == 1);
    CHECK(store.row(1).state == "running");
    CHECK(store.row(1).lease_until > clock.now());
    released = true;
    hold.cancel();
    io.run_for(20ms);
    CHECK(started == 1);
    CHECK(store.row(1).state == "done");
    runner.stop();
    io.run_for(20ms);
}

TEST_CASE("runner: a wake-up starts waiting work at once, and wake-ups that pile up count as one") {
    Parts parts;
    auto& [io, clock, store, observer] = parts;
    int calls = 0;
    tb::bot::RunnerSettings settings;
    settings.idle_poll = 1h;  // only a wake-up can start the work in time
    auto handler = [&calls](Job) -> asio::awaitable<JobOutcome> {
        ++calls;
        co_return JobOutcome::done();
    };
    tb::bot::JobRunner runner{io.get_executor(), store, clock, handler, observer, settings};
    asio::co_spawn(io, runner.run(), asio::detached);
    io.run_for(5ms);  // the first look finds nothing; the runner now sleeps

    for (auto const* id : {"Ev1", "Ev2"}) {
        asio::co_spawn(io, store.record({tb::bot::Source::slack_event, id, "{}", clock.now()}), asio::detached);
        io.run_for(5ms);
        for (int i = 0; i < 100; ++i) runner.wake(tb::bot::Source::slack_event);
        io.run_for(20ms);
    }
    CHECK(calls == 2);
    CHECK(store.row(1).state == "done");
    CHECK(store.row(2).state == "done");
    runner.stop();
    io.run_for(20ms);
}

TEST_CASE("runner: a wake-up for bulk work with no bulk slot free asks the store for nothing; one for a command claims it") {
    Parts parts;
    auto& [io, clock, store, observer] = parts;
    std::vector<tb::bot::Source> ran;
    bool released = false;
    asio::steady_timer hold{io, std::chrono::hours{1}};
    auto handler = [&](Job job) -> asio::awaitable<JobOutcome> {
        ran.push_back(job.source);
        tb::error_code ignored;
        while (job.delivery_id == "Ev1" && !released) {
            co_await hold.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        }
        co_return JobOutcome::done();
    };
    tb::bot::RunnerSettings settings;
    settings.concurrency = 2;
    settings.reserved_for_interactive = 1;  // one slot for bulk work, which Ev1 holds
    settings.idle_poll = 1h;                // only wake-ups start work
    tb::bot::JobRunner runner{io.get_executor(), store, clock, handler, observer, settings};
    asio::co_spawn(io, store.record({tb::bot::Source::slack_event, "Ev1", "{}", clock.now()}), asio::detached);
    asio::co_spawn(io, runner.run(), asio::detached);
    io.run_for(5ms);
    REQUIRE(ran.size() == 1);

    auto const before = store.claims();
    for (auto const* id : {"Ev2", "Ev3", "Ev4"}) {
        asio::co_spawn(io, store.record({tb::bot::Source::slack_event, id, "{}", clock.now()}), asio::detached);
        io.run_for(2ms);
        runner.wake(tb::bot::Source::slack_event);
        io.run_for(5ms);
    }
    CHECK(store.claims() == before);  // no room for them, and they cannot be commands
    CHECK(ran.size() == 1);

    asio::co_spawn(io, store.record({tb::bot::Source::slack_command, "cmd", "{}", clock.now()}), asio::detached);
    io.run_for(2ms);
    runner.wake(tb::bot::Source::slack_command);
    io.run_for(5ms);
    REQUIRE(ran.size() == 2);
    CHECK(ran[1] == tb::bot::Source::slack_command);

    released = true;  // the bulk slot frees: the events waiting behind Ev1 run without a wake-up
    hold.cancel();
    io.run_for(20ms);
    CHECK(ran.size() == 5);
    runner.stop();
    io.run_for(20ms);
}

TEST_CASE("runner: wake-ups for bulk work that keep the poll from firing do not starve a command's retry") {
    Parts parts;
    auto& [io, clock, store, observer] = parts;
    std::map<std::string, int> attempts;
    asio::steady_timer hold{io, std::chrono::hours{1}};
    auto handler = [&](Job job) -> asio::awaitable<JobOutcome> {
        auto const n = ++attempts[job.delivery_id];
        tb::error_code ignored;
        if (job.delivery_id == "Ev1") co_await hold.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        if (job.delivery_id == "cmd" && n == 1) co_return JobOutcome::retry("slack: 503", 1min);
        co_return JobOutcome::done();
    };
    tb::bot::RunnerSettings settings;
    settings.concurrency = 2;
    settings.reserved_for_interactive = 1;  // Ev1 holds the one bulk slot throughout
    settings.idle_poll = 10min;             // by the fake clock; the real timer never fires here
    tb::bot::JobRunner runner{io.get_executor(), store, clock, handler, observer, settings};
    asio::co_spawn(io, store.record({tb::bot::Source::slack_event, "Ev1", "{}", clock.now()}), asio::detached);
    asio::co_spawn(io, store.record({tb::bot::Source::slack_command, "cmd", "{}", clock.now()}), asio::detached);
    asio::co_spawn(io, runner.run(), asio::detached);
    io.run_for(5ms);
    REQUIRE(attempts["cmd"] == 1);  // and it is due again in a minute and a bit

    // Events keep arriving, each waking the runner before its poll could fire.
    for (int i = 0; i < 40 && attempts["cmd"] < 2; ++i) {
        clock.advance(1min);
        runner.wake(tb::bot::Source::slack_event);
        io.run_for(2ms);
    }
    CHECK(attempts["cmd"] == 2);
    CHECK(attempts["Ev1"] == 1);
    hold.cancel();
    runner.stop();
    io.run_for(20ms);
}
