#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "bot/clock.hpp"
#include "bot/config/settings.hpp"
#include "bot/ports/chat.hpp"

namespace tb::bot {

// Who may change tickets: the configured users and the members of the configured Slack user
// groups. Group members are cached and refreshed after `refresh`; when Slack cannot be asked,
// the last known members still count.
class Permissions {
public:
    Permissions(AuthorizedSettings const& authorized, Chat& chat, Clock const& clock,
                std::chrono::milliseconds refresh = std::chrono::minutes{5});

    // An error only when a group's members were never known and Slack cannot tell now.
    asio::awaitable<ApiResult<bool>> may_change(std::string user);

private:
    struct Members {
        std::vector<std::string> users;
        Instant fetched{};
    };
    asio::awaitable<ApiResult<std::vector<std::string>>> members(std::string usergroup);

    AuthorizedSettings const& authorized_;
    Chat& chat_;
    Clock const& clock_;
    std::chrono::milliseconds refresh_;
    std::mutex mutex_;
    std::map<std::string, Members> groups_;
};

}  // namespace tb::bot
