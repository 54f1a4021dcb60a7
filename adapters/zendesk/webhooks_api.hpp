#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "adapters/http/client.hpp"
#include "adapters/zendesk/api.hpp"
#include "adapters/zendesk/api_call.hpp"
#include "bot/ports/api_error.hpp"

namespace tb::zendesk {

namespace asio = boost::asio;

// The Zendesk ticket events ticketbridge's webhook subscribes to: the one list, used by
// `ticketbridge setup-zendesk` and named in deploy/zendesk-webhook.md.
inline constexpr std::array<std::string_view, 9> kTicketEventSubscriptions{
    "zen:event-type:ticket.status_changed",
    "zen:event-type:ticket.priority_changed",
    "zen:event-type:ticket.agent_assignment_changed",
    "zen:event-type:ticket.group_assignment_changed",
    "zen:event-type:ticket.comment_added",
    "zen:event-type:ticket.subject_changed",
    "zen:event-type:ticket.merged",
    "zen:event-type:ticket.soft_deleted",
    "zen:event-type:ticket.permanently_deleted",
};

// A webhook as the Webhooks API shows it (the fields setup cares about).
struct Webhook {
    std::string id;  // empty before creation
    std::string name;
    std::string status = "active";
    std::string endpoint;
    std::string http_method = "POST";
    std::string request_format = "json";
    std::vector<std::string> subscriptions;
};

// The Webhooks API (/api/v2/webhooks) of one Zendesk account. Credentials go only into the
// Authorization header. Errors are Zendesk's words in one line, never a credential.
class WebhooksApi {
public:
    // `client` outlives this object; `zendesk_url` is the account address (https://acme.zendesk.com).
    WebhooksApi(http::HttpClient& client, std::string zendesk_url, ZendeskAuth const& auth);

    // Every webhook whose name is exactly `name` (all pages of the list).
    asio::awaitable<bot::ApiResult<std::vector<Webhook>>> find_by_name(std::string name);
    // Creates an event-subscribed webhook without authentication; the answer has its id.
    asio::awaitable<bot::ApiResult<Webhook>> create(Webhook webhook);
    // Sets status, endpoint, method, format and subscriptions of `webhook.id` (JSON merge
    // patch, so other fields such as custom headers stay as they are).
    asio::awaitable<bot::ApiResult<void>> update(Webhook webhook);
    // The secret Zendesk signs this webhook's requests with (use it as-is as the HMAC key).
    asio::awaitable<bot::ApiResult<std::string>> signing_secret(std::string id);

private:
    ApiCaller api_;
};

// The subscriptions in kTicketEventSubscriptions' order.
std::vector<std::string> ticket_event_subscriptions();

}  // namespace tb::zendesk
