#pragma once

#include <cstdint>
#include <string>

#include "bot/ports/ticket_desk.hpp"

namespace tb::bot {

// The step that marks a thread line as posted, under its once-only key.
inline constexpr char const* kPosted = "posted";

inline std::string ticket_ref(TicketId id) { return "#" + std::to_string(id); }
// A Zendesk comment's once-only key, the same for its webhook and a catch-up.
inline std::string comment_key(std::int64_t comment_id) { return "comment:" + std::to_string(comment_id); }

inline std::string capitalised(std::string text) {
    if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
    return text;
}

}  // namespace tb::bot
