#include <doctest/doctest.h>

#include <chrono>
#include <exception>
#include <optional>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "adapters/slack/channel_pacer.hpp"

using namespace std::chrono_literals;

TEST_CASE("channel pacer: one channel is spaced by the gap, others are not held up") {
    boost::asio::io_context io;
    tb::slack::ChannelPacer pacer{100ms, 250ms};
    using Clock = std::chrono::steady_clock;
    auto const start = Clock::now();
    struct Turn {
        std::optional<std::chrono::milliseconds> wait;
        Clock::duration at{};
        bool done = false;
    };
    std::vector<Turn> turns(5);
    char const* channels[] = {"C1", "C1", "C1", "C1", "C2"};
    for (std::size_t i = 0; i < turns.size(); ++i) {
        boost::asio::co_spawn(io, pacer.turn(channels[i]),
                              [&turns, i, start](std::exception_ptr e, std::optional<std::chrono::milliseconds> w) {
                                  if (e) std::rethrow_exception(e);
                                  turns[i] = {w, Clock::now() - start, true};
                              });
    }
    io.run();
    for (auto const& t : turns) REQUIRE(t.done);
    CHECK_FALSE(turns[0].wait);
    CHECK(turns[0].at < 50ms);
    CHECK_FALSE(turns[1].wait);
    CHECK(turns[1].at >= 95ms);
    CHECK_FALSE(turns[2].wait);
    CHECK(turns[2].at >= 195ms);
    REQUIRE(turns[3].wait);  // its turn would be 300 ms away, beyond the 250 ms it may wait
    CHECK(*turns[3].wait >= 250ms);
    CHECK(turns[3].at < 50ms);
    CHECK_FALSE(turns[4].wait);
    CHECK(turns[4].at < 50ms);
}
