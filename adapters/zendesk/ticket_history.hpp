#pragma once

#include <vector>

#include <boost/asio/awaitable.hpp>

#include "adapters/zendesk/api_call.hpp"
#include "bot/ports/ticket_desk.hpp"

namespace tb::zendesk {

// Zendesk's cursor-based incremental ticket export, one page from `from`.
asio::awaitable<bot::ApiResult<bot::ChangedTickets>> read_changed_tickets(ApiCaller& api,
                                                                        bot::ExportPosition from);

// A ticket's comments, oldest first, following the cursor pages (at most 1,000 comments).
asio::awaitable<bot::ApiResult<std::vector<bot::DeskComment>>> read_comments(ApiCaller& api,
                                                                           bot::TicketId id);

// One comment object of Zendesk's answers; nullopt when it has no id.
std::optional<bot::DeskComment> parse_comment(Json const& comment);

}  // namespace tb::zendesk
