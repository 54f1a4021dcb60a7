#pragma once

#include <optional>
#include <string_view>

#include "bot/sync/desk_event.hpp"

namespace tb::zendesk {

// A ticket event from Zendesk's webhook envelope (type, id, time, subject "zen:ticket:N",
// detail, event). Ids arrive as strings; values like "OPEN" are lower-cased. nullopt when the
// body is not a ticket event; never throws.
std::optional<bot::DeskEvent> parse_desk_event(std::string_view payload);

}  // namespace tb::zendesk
