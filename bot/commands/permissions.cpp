#include "bot/commands/permissions.hpp"

#include <algorithm>
#include <optional>

namespace tb::bot {

Permissions::Permissions(AuthorizedSettings const& authorized, Chat& chat, Clock const& clock,
                         std::chrono::milliseconds refresh)
    : authorized_{authorized}, chat_{chat}, clock_{clock}, refresh_{refresh} {}

asio::awaitable<ApiResult<bool>> Permissions::may_change(std::string user) {
    auto const& users = authorized_.users;
    if (std::find(users.begin(), users.end(), user) != users.end()) co_return true;
    std::optional<ApiError> unknown;
    for (auto const& group : authorized_.usergroups) {
        auto const members = co_await this->members(group);
        if (!members) {
            unknown = members.error();
            continue;
        }
        if (std::find(members->begin(), members->end(), user) != members->end()) co_return true;
    }
    if (unknown) co_return *unknown;
    co_return false;
}

asio::awaitable<ApiResult<std::vector<std::string>>> Permissions::members(std::string usergroup) {
    auto const now = clock_.now();
    std::optional<std::vector<std::string>> known;
    {
        std::lock_guard lock{mutex_};
        if (auto const it = groups_.find(usergroup); it != groups_.end()) {
            if (now - it->second.fetched < refresh_) co_return it->second.users;
            known = it->second.users;
        }
    }
    auto fetched = co_await chat_.usergroup_members(usergroup);
    std::vector<std::string> users;  // a mistyped or deleted group (not_found) has no members
    if (fetched) {
        users = std::move(*fetched);
    } else if (fetched.error().kind != ApiError::Kind::not_found) {
        if (known) co_return std::move(*known);
        co_return fetched.error();
    }
    std::lock_guard lock{mutex_};
    groups_[usergroup] = Members{users, now};
    co_return users;
}

}  // namespace tb::bot
