#include "bot/tickets/triage.hpp"

#include <algorithm>
#include <cctype>

namespace tb::bot {
namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool word_char(char c) {
    auto const u = static_cast<unsigned char>(c);
    return std::isalnum(u) != 0 || u >= 0x80;  // UTF-8 letters count as word characters
}

void add_tags(std::vector<std::string>& tags, std::vector<std::string> const& more) {
    for (auto const& tag : more) {
        if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
    }
}

}  // namespace

bool mentions_keyword(std::string_view text, std::string_view keyword) {
    if (keyword.empty() || keyword.size() > text.size()) return false;
    for (std::size_t at = 0; at + keyword.size() <= text.size(); ++at) {
        bool const equal = std::equal(keyword.begin(), keyword.end(), text.begin() + static_cast<std::ptrdiff_t>(at),
                                      [](char a, char b) { return lower(a) == lower(b); });
        if (!equal) continue;
        bool const starts = at == 0 || !word_char(text[at - 1]) || !word_char(keyword.front());
        auto const end = at + keyword.size();
        bool const ends = end == text.size() || !word_char(text[end]) || !word_char(keyword.back());
        if (starts && ends) return true;
    }
    return false;
}

ChannelSettings const* find_channel(Settings const& settings, std::string_view channel) {
    auto const& channels = settings.slack.channels;
    auto const it = std::find_if(channels.begin(), channels.end(),
                                 [&](ChannelSettings const& c) { return c.id == channel; });
    return it == channels.end() ? nullptr : &*it;
}

TriageResult triage(Settings const& settings, std::string_view channel, std::string_view text) {
    TriageResult result;
    result.tags = settings.zendesk.tags;
    std::optional<Priority> priority;
    for (auto const& rule : settings.triage) {
        bool const in_channel =
            rule.channels.empty() ||
            std::find(rule.channels.begin(), rule.channels.end(), channel) != rule.channels.end();
        bool const matches = std::any_of(rule.keywords.begin(), rule.keywords.end(),
                                         [&](std::string const& k) { return mentions_keyword(text, k); });
        if (!in_channel || !matches) continue;
        result.group = rule.group;
        priority = rule.priority;
        add_tags(result.tags, rule.tags);
        break;
    }
    if (auto const* settings_of = find_channel(settings, channel)) {
        if (!result.group) result.group = settings_of->group;
        if (!priority) priority = settings_of->priority;
    }
    if (!result.group) result.group = settings.zendesk.default_group;
    result.priority = priority.value_or(Priority::normal);
    return result;
}

char const* to_string(Priority priority) noexcept {
    switch (priority) {
        case Priority::low: return "low";
        case Priority::normal: return "normal";
        case Priority::high: return "high";
        case Priority::urgent: return "urgent";
    }
    return "normal";
}

std::optional<Priority> parse_priority(std::string_view text) noexcept {
    for (auto p : {Priority::low, Priority::normal, Priority::high, Priority::urgent}) {
        std::string_view const name = to_string(p);
        if (name.size() == text.size() &&
            std::equal(name.begin(), name.end(), text.begin(),
                       [](char a, char b) { return a == lower(b); })) {
            return p;
        }
    }
    return std::nullopt;
}

}  // namespace tb::bot
