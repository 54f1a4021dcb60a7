#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "bot/ports/chat.hpp"

namespace tb::slack {

// A message object of conversations.replies / history; `channel` is the one that was asked.
bot::ChatMessage parse_message(nlohmann::json const& message, std::string const& channel);
// The `user` object of users.info: real_name from the profile first, e-mail when shared.
bot::ChatUser parse_user(nlohmann::json const& user);
// auth.test's answer.
bot::ChatIdentity parse_identity(nlohmann::json const& answer);

}  // namespace tb::slack
