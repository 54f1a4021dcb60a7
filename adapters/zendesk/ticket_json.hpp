#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "bot/ports/ticket_desk.hpp"

namespace tb::zendesk {

char const* priority_name(bot::Priority priority) noexcept;

// Request bodies, wrapped in "ticket" as Zendesk expects.
nlohmann::json create_body(bot::NewTicket const& ticket);
nlohmann::json update_body(bot::NewComment const& comment, bot::TicketChange const& change);

// A ticket object of Zendesk's answers; nullopt when it has no id.
std::optional<bot::Ticket> parse_ticket(nlohmann::json const& ticket);

}  // namespace tb::zendesk
