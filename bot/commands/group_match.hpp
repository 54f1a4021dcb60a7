#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bot/ports/ticket_desk.hpp"

namespace tb::bot {

// The names to offer when a group name matched none or several groups.
struct NoGroupMatch {
    bool ambiguous = false;
    std::vector<std::string> close;  // best first, at most five
};

// Finds the Zendesk group a person meant: the name ignoring case, else the only group whose
// name contains what they typed. Otherwise the closest names (contained, then by spelling).
std::variant<DeskGroup, NoGroupMatch> match_group(std::string_view typed, std::vector<DeskGroup> const& groups);

}  // namespace tb::bot
