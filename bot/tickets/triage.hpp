#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/config/settings.hpp"

namespace tb::bot {

// Where a new ticket goes before anyone looks at it.
struct TriageResult {
    std::optional<std::string> group;  // unset: Zendesk's default group
    Priority priority = Priority::normal;
    std::vector<std::string> tags;
};

// The first rule whose channels include `channel` (or that names none) and whose keyword
// appears in `text` as a whole word or phrase (case-insensitive) sets group, priority and
// tags; what it leaves unset comes from the channel's settings, then from zendesk defaults.
TriageResult triage(Settings const& settings, std::string_view channel, std::string_view text);

// True when `keyword` occurs in `text` bounded by non-alphanumeric characters, ignoring case.
bool mentions_keyword(std::string_view text, std::string_view keyword);

ChannelSettings const* find_channel(Settings const& settings, std::string_view channel);

char const* to_string(Priority priority) noexcept;
std::optional<Priority> parse_priority(std::string_view text) noexcept;

}  // namespace tb::bot
