#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

namespace tb::slack {

namespace asio = boost::asio;

// Slack allows about one message per second per channel. Posts to one channel are spaced by
// `gap`: a caller whose turn comes within `max_wait` waits for it; a later one is told how long
// to come back after (and keeps no slot), so a burst in one channel never holds the job slots
// that other channels' work needs.
class ChannelPacer {
public:
    using Clock = std::chrono::steady_clock;

    explicit ChannelPacer(std::chrono::milliseconds gap = std::chrono::seconds{1},
                          std::chrono::milliseconds max_wait = std::chrono::seconds{2});

    // Empty when the post may go now (after waiting, if it had to); else how long to wait.
    asio::awaitable<std::optional<std::chrono::milliseconds>> turn(std::string channel);

private:
    std::chrono::milliseconds gap_;
    std::chrono::milliseconds max_wait_;
    std::mutex mutex_;
    std::map<std::string, Clock::time_point> next_;  // when each channel may be posted to next
};

}  // namespace tb::slack
