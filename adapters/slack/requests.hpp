#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "bot/ports/store.hpp"
#include "bot/tickets/requests.hpp"

namespace tb::slack {

inline constexpr char const* kCreateTicketCallback = "create_ticket";

// What a recorded Slack delivery asks of the flows. Never throws: anything unreadable or not
// for the ticket flows is bot::Ignored with the reason.
bot::SlackRequest parse_slack_request(bot::Source source, std::string_view payload);

// The "Create ticket" form of a view_submission payload; nullopt for other views.
std::optional<bot::TicketForm> read_ticket_form(nlohmann::json const& payload);

// The ephemeral answer to a slash command that says `text` to its user.
std::string ephemeral_response(std::string const& text);

// The view_submission answer that shows each problem next to its field.
std::string form_errors_response(std::vector<bot::FormProblem> const& problems);

}  // namespace tb::slack
