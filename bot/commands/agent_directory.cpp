#include "bot/commands/agent_directory.hpp"

#include <algorithm>

namespace tb::bot {

AgentDirectory::AgentDirectory(Chat& chat, TicketDesk& desk, Clock const& clock, Limits limits)
    : chat_{chat}, desk_{desk}, clock_{clock}, limits_{limits} {}

asio::awaitable<ApiResult<Agent>> AgentDirectory::find(std::string slack_user) {
    auto const now = clock_.now();
    {
        std::lock_guard lock{mutex_};
        if (auto const it = entries_.find(slack_user); it != entries_.end() && now < it->second.until) {
            co_return it->second.agent;
        }
    }
    auto const user = co_await chat_.user(slack_user);
    if (!user) co_return user.error();
    Agent agent{slack_user, user->email, std::nullopt};
    if (!agent.email.empty()) {
        auto person = co_await desk_.find_person(agent.email);
        if (!person) co_return person.error();
        agent.desk = std::move(*person);
    }
    std::lock_guard lock{mutex_};
    if (entries_.size() >= limits_.max_entries) {
        auto const oldest = std::min_element(entries_.begin(), entries_.end(), [](auto const& a, auto const& b) {
            return a.second.until < b.second.until;
        });
        entries_.erase(oldest);
    }
    entries_[slack_user] = Entry{agent, now + (agent.is_agent() ? limits_.found_for : limits_.missing_for)};
    co_return agent;
}

}  // namespace tb::bot
