#include "adapters/slack/channel_pacer.hpp"

#include <algorithm>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tb::slack {

ChannelPacer::ChannelPacer(std::chrono::milliseconds gap, std::chrono::milliseconds max_wait)
    : gap_{gap}, max_wait_{max_wait} {}

asio::awaitable<std::optional<std::chrono::milliseconds>> ChannelPacer::turn(std::string channel) {
    auto const now = Clock::now();
    Clock::time_point slot;
    {
        std::lock_guard lock{mutex_};
        // Channels idle for a while need no memory.
        std::erase_if(next_, [&](auto const& entry) { return entry.second + gap_ < now; });
        auto& next = next_[channel];
        slot = std::max(now, next);
        if (slot - now > max_wait_) {
            co_return std::chrono::duration_cast<std::chrono::milliseconds>(slot - now);
        }
        next = slot + gap_;
    }
    if (slot > now) {
        auto const executor = co_await asio::this_coro::executor;
        asio::steady_timer timer{executor, slot};
        boost::system::error_code ignored;  // cancelled at shutdown: post anyway, Slack decides
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    co_return std::nullopt;
}

}  // namespace tb::slack
