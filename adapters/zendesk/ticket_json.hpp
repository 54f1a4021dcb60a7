#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "bot/ports/ticket_desk.hpp"

namespace tb::zendesk {

char const* priority_name(bot::Priority priority) noexcept;

// Request bodies, wrapped in "ticket" as Zendesk expects.
nlohmann::json create_body(bot::NewTicket const& ticket);
// Only the fields `change` sets, and the comment when there is one.
nlohmann::json update_body(bot::TicketChange const& change,
                           std::optional<bot::NewComment> const& comment);

// Zendesk's timestamps ("2026-11-20T09:15:00Z"); nullopt when malformed.
std::optional<bot::Instant> parse_instant(std::string const& text);

// A ticket object of Zendesk's answers; nullopt when it has no id.
std::optional<bot::Ticket> parse_ticket(nlohmann::json const& ticket);

}  // namespace tb::zendesk
