#pragma once

#include <optional>
#include <string_view>

#include "bot/commands/agent_requests.hpp"
#include "bot/ports/store.hpp"

namespace tb::slack {

// What an agent asks through a recorded Slack delivery: a slash command (the form-encoded
// body), a ticket card's button or select, or the submitted "Solve ticket" modal (the
// interaction's JSON). Never throws; nullopt for anything else, or anything unreadable.
std::optional<bot::AgentRequest> parse_agent_request(bot::Source source, std::string_view payload);

}  // namespace tb::slack
