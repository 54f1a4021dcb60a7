#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "bot/clock.hpp"
#include "bot/ports/chat.hpp"
#include "bot/ports/ticket_desk.hpp"

namespace tb::bot {

// A Slack user and the Zendesk agent they are, matched by e-mail.
struct Agent {
    std::string slack_user;
    std::string email;  // empty when Slack does not share the user's address
    std::optional<DeskUser> desk;  // unset: no Zendesk user with that address

    bool is_agent() const { return desk && desk->is_agent(); }
};

// Maps Slack users to Zendesk agents (users.info → Zendesk user search), remembering answers
// for a bounded time and a bounded number of users.
class AgentDirectory {
public:
    struct Limits {
        std::chrono::milliseconds found_for = std::chrono::hours{1};
        std::chrono::milliseconds missing_for = std::chrono::minutes{1};  // may be fixed soon
        std::size_t max_entries = 5000;
    };

    AgentDirectory(Chat& chat, TicketDesk& desk, Clock const& clock, Limits limits);
    AgentDirectory(Chat& chat, TicketDesk& desk, Clock const& clock)
        : AgentDirectory(chat, desk, clock, Limits{}) {}

    asio::awaitable<ApiResult<Agent>> find(std::string slack_user);

private:
    struct Entry {
        Agent agent;
        Instant until{};
    };

    Chat& chat_;
    TicketDesk& desk_;
    Clock const& clock_;
    Limits limits_;
    std::mutex mutex_;
    std::map<std::string, Entry> entries_;
};

}  // namespace tb::bot
