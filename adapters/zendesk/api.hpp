#pragma once

#include <memory>
#include <string>

#include "adapters/http/client.hpp"
#include "bot/ports/ticket_desk.hpp"

namespace tb::zendesk {

// API token (Basic "{email}/token:{api_token}") or, when oauth_token is set, OAuth (Bearer).
struct ZendeskAuth {
    std::string email;
    std::string api_token;
    std::string oauth_token;
};

// The Authorization header value for `auth`; never logged.
std::string authorization_header(ZendeskAuth const& auth);

// bot::TicketDesk over the Zendesk Support API of the account at `zendesk_url`
// (https://acme.zendesk.com; the adapter adds /api/v2/...). `client` outlives the result.
// `requests_per_minute` > 0 keeps its calls within the account's budget (0: no limit of ours).
std::unique_ptr<bot::TicketDesk> make_zendesk_desk(http::HttpClient& client, std::string zendesk_url,
                                                   ZendeskAuth auth, int requests_per_minute = 0);

// Two views of one account and one budget: `interactive` for commands and buttons, whose calls
// take their turn ahead of `bulk`'s backlog (copies, catch-ups, SLA, new tickets).
struct ZendeskDesks {
    std::unique_ptr<bot::TicketDesk> bulk;
    std::unique_ptr<bot::TicketDesk> interactive;
};
ZendeskDesks make_zendesk_desks(http::HttpClient& client, std::string const& zendesk_url, ZendeskAuth const& auth,
                                int requests_per_minute);

}  // namespace tb::zendesk
