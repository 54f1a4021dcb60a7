#include "adapters/http/request_budget.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <deque>
#include <optional>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace {

using namespace std::chrono_literals;
using tb::http::RequestBudget;
using Clock = RequestBudget::Clock;
using Lane = RequestBudget::Lane;

// Takes each turn as soon as the budget allows, for `span`; the send times.
std::deque<Clock::time_point> drain(RequestBudget& budget, Clock::time_point start, Clock::duration span,
                                    Lane lane = Lane::bulk) {
    std::deque<Clock::time_point> sent;
    auto now = start;
    while (now < start + span) {
        auto const wait = budget.reserve(now, 1h, lane);
        now += wait.value_or(0ms);
        if (now < start + span) sent.push_back(now);
    }
    return sent;
}

std::size_t most_in_any_minute(std::deque<Clock::time_point> const& sent) {
    std::size_t most = 0;
    for (std::size_t first = 0, last = 0; last < sent.size(); ++last) {
        while (sent[last] - sent[first] >= 60s) ++first;
        most = std::max(most, last - first + 1);
    }
    return most;
}

// Bulk calls until none may go at `now`.
void spend_bulk_turns(RequestBudget& budget, Clock::time_point now) {
    while (!budget.reserve(now, 0ms, Lane::bulk)) {
    }
}

boost::asio::awaitable<void> bulk_call(RequestBudget& budget, std::chrono::milliseconds after, int id,
                                       std::vector<int>& went) {
    boost::asio::steady_timer timer{co_await boost::asio::this_coro::executor, after};
    co_await timer.async_wait(boost::asio::use_awaitable);
    if (!co_await budget.take(Lane::bulk)) went.push_back(id);
}

struct Answer {
    bool given = false;
    std::optional<std::chrono::milliseconds> wait;
};

boost::asio::awaitable<void> bulk_wait(RequestBudget& budget, Answer& answer) {
    answer.wait = co_await budget.take(Lane::bulk);
    answer.given = true;
}

}  // namespace

TEST_CASE("request budget: a twentieth at once, then an even pace; never more than the budget in any minute") {
    RequestBudget budget{700};
    auto const start = Clock::time_point{} + 1h;
    for (int i = 0; i < 35; ++i) CHECK_FALSE(budget.reserve(start, 0ms, Lane::interactive).has_value());
    auto const next = budget.reserve(start, 0ms, Lane::interactive);
    REQUIRE(next.has_value());
    CHECK(*next >= 85ms);  // a minute over the 666 that follow the burst
    CHECK(*next <= 95ms);

    RequestBudget fresh{700};
    auto const sent = drain(fresh, start, 10min);
    CHECK(most_in_any_minute(sent) <= 700);
    // Close to the budget: what a slower pace would cost the outbound benchmark.
    CHECK(sent.size() >= 10 * 665);
}

TEST_CASE("request budget: a turn too far off is not taken, so a later caller is not pushed back") {
    RequestBudget budget{60};  // 3 at once, then about one a second
    auto const start = Clock::time_point{} + 1h;
    for (int i = 0; i < 3; ++i) CHECK_FALSE(budget.reserve(start, 0ms, Lane::interactive).has_value());
    auto const told = budget.reserve(start, 500ms, Lane::interactive);
    REQUIRE(told.has_value());
    CHECK(*told > 500ms);
    CHECK(budget.reserve(start, 500ms, Lane::interactive) == told);  // asking again costs nothing
    auto const waited = budget.reserve(start, 2s, Lane::interactive);
    REQUIRE(waited.has_value());
    CHECK(*waited == *told);  // within reach: taken, after that wait
}

TEST_CASE("request budget: a pause (429, or none left) holds every caller, then the pace resumes without a burst") {
    RequestBudget budget{700};
    auto const start = Clock::time_point{} + 1h;
    budget.pause(start, 3s);
    auto const first = budget.reserve(start, 0ms, Lane::interactive);
    REQUIRE(first.has_value());
    CHECK(*first == 3000ms);
    CHECK_FALSE(budget.reserve(start + 3s, 0ms, Lane::interactive).has_value());
    auto const second = budget.reserve(start + 3s, 0ms, Lane::interactive);
    REQUIRE(second.has_value());
    CHECK(*second > 0ms);
}

TEST_CASE("request budget: while a backlog of bulk calls takes every turn it may, a command's call still goes at once") {
    RequestBudget budget{700};
    auto const start = Clock::time_point{} + 1h;
    int bulk_went = 0;
    while (!budget.reserve(start, 0ms, Lane::bulk)) ++bulk_went;  // bulk calls book nothing ahead
    CHECK(bulk_went >= 20);
    CHECK(bulk_went < 35);
    for (int i = 0; i < 5; ++i) CHECK_FALSE(budget.reserve(start, 0ms, Lane::interactive).has_value());
    auto const later = start + 400ms;  // the backlog takes each turn as it comes; commands still find one
    while (!budget.reserve(later, 0ms, Lane::bulk)) ++bulk_went;
    CHECK_FALSE(budget.reserve(later, 0ms, Lane::interactive).has_value());

    RequestBudget mixed{700};  // both lanes flat out: still never over the budget
    std::deque<Clock::time_point> sent;
    auto now = start;
    for (int i = 0; now < start + 5min; ++i) {
        auto const wait = mixed.reserve(now, 1h, i % 7 == 0 ? Lane::interactive : Lane::bulk);
        now += wait.value_or(0ms);
        sent.push_back(now);
    }
    CHECK(most_in_any_minute(sent) <= 700);
    CHECK(sent.size() >= 5 * 665);
}

TEST_CASE("request budget: a waiting bulk call is not overtaken by a later one, and each waits for its own turn") {
    RequestBudget budget{700};
    auto const start = Clock::time_point{} + 1h;
    spend_bulk_turns(budget, start);
    auto const first = budget.join();
    auto const second = budget.join();
    auto const first_wait = budget.reserve_in_line(first, start);
    auto const second_wait = budget.reserve_in_line(second, start);
    REQUIRE(first_wait.has_value());
    REQUIRE(second_wait.has_value());
    CHECK(*second_wait - *first_wait >= 80ms);  // a turn later (one in 90 ms), not woken together

    auto const due = start + *first_wait;
    auto const early = budget.reserve_in_line(second, due);  // asks first, but is second in line
    REQUIRE(early.has_value());
    CHECK(*early <= 10ms);  // the first is late for its turn: the second asks again soon
    CHECK_FALSE(budget.reserve_in_line(first, due).has_value());
    CHECK_FALSE(budget.reserve_in_line(second, start + *second_wait).has_value());

    auto const third = budget.join();  // one that gives up lets the next go in its place
    auto const fourth = budget.join();
    auto const later = start + *second_wait + 1s;
    CHECK(budget.reserve_in_line(fourth, later).has_value());
    budget.leave(third);
    CHECK_FALSE(budget.reserve_in_line(fourth, later).has_value());
}

TEST_CASE("request budget: bulk calls that wait go in the order they asked") {
    RequestBudget budget{1200};  // a turn every 53 ms once the burst is spent
    auto const begun = Clock::now();
    spend_bulk_turns(budget, begun);
    boost::asio::io_context io;
    std::vector<int> went;
    for (int id = 0; id < 6; ++id) {
        boost::asio::co_spawn(io, bulk_call(budget, std::chrono::milliseconds{7 * id}, id, went),
                              boost::asio::detached);
    }
    io.run();
    auto const took = Clock::now() - begun;
    CHECK(went == std::vector<int>{0, 1, 2, 3, 4, 5});
    CHECK(took >= 250ms);  // the first turn at once, then five of 53 ms: none went early
    CHECK(took < 5s);
}

TEST_CASE("request budget: a bulk call that gives up, or is dropped while it waits, leaves the line") {
    RequestBudget gives_up{60, 2s, 100ms};  // a turn a second; bulk calls wait at most 100 ms
    spend_bulk_turns(gives_up, Clock::now());
    {
        boost::asio::io_context io;
        Answer answer;
        boost::asio::co_spawn(io, bulk_wait(gives_up, answer), boost::asio::detached);
        io.run();
        CHECK(answer.given);
        CHECK(answer.wait.has_value());  // told to come back later
    }
    auto const next = gives_up.join();
    CHECK_FALSE(gives_up.reserve_in_line(next, Clock::now() + 10s).has_value());  // first in line

    RequestBudget dropped{60};  // its next turn about a second away
    spend_bulk_turns(dropped, Clock::now());
    {
        boost::asio::io_context io;
        Answer answer;
        boost::asio::co_spawn(io, bulk_wait(dropped, answer), boost::asio::detached);
        io.run_for(10ms);
        CHECK_FALSE(answer.given);  // still waiting for its turn when its io_context goes away
    }
    auto const after = dropped.join();
    CHECK_FALSE(dropped.reserve_in_line(after, Clock::now() + 10s).has_value());
}
