#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "adapters/http/client.hpp"
#include "adapters/http/request_budget.hpp"
#include "bot/ports/api_error.hpp"

namespace tb::zendesk {

namespace asio = boost::asio;
using Json = nlohmann::json;

template <class T>
bot::ApiResult<T> failure(bot::ApiError error) {
    return {boost::system::in_place_error, std::move(error)};
}
// An answer without a part it must have ("response lacks the ticket").
bot::ApiError malformed(char const* what);
// Percent-encodes a path segment or query value.
std::string encoded(std::string_view text);
// A string member of a JSON object; "" when absent or not a string.
std::string text_of(Json const& object, char const* key);

// A request for `path` below the account ("/api/v2/tickets/1"), with a JSON body when given.
http::OutboundRequest request(http::bhttp::verb method, std::string path);
http::OutboundRequest json_request(http::bhttp::verb method, std::string path, Json const& body);

// A Zendesk answer in the flows' terms: 2xx -> the body (an empty object for 204); 429 ->
// rate_limited (Retry-After); 401 -> rejected("authentication failed"); 404 -> not_found;
// 422 about a closed ticket -> closed; other 400/403/422 -> rejected with Zendesk's words;
// 409, 5xx -> unavailable.
bot::ApiResult<Json> read_answer(http::Response const& response);

// Zendesk's error body (`error`, `description`, `details`; or the newer APIs' `errors` list of
// {code, title, detail}), or a text body, as one short line.
std::string describe_error(std::string const& body);

// Sends requests to one Zendesk account with its credentials. Credentials go only into the
// Authorization header, never into a URL, a log or an error message.
class ApiCaller {
public:
    // `budget`: the account's requests a minute (zendesk.requests_per_minute), shared by every
    // caller; none for one-off commands.
    // `lane`: whether somebody waits on these calls (their turns come first).
    ApiCaller(http::HttpClient& client, std::string base_url, std::string authorization,
              std::shared_ptr<http::RequestBudget> budget = nullptr,
              http::RequestBudget::Lane lane = http::RequestBudget::Lane::bulk);

    // `request.url` is the path and query below the account ("/api/v2/tickets/1").
    asio::awaitable<bot::ApiResult<Json>> send(http::OutboundRequest request);
    // The account address without a trailing '/'.
    std::string const& base_url() const { return base_url_; }
    // A next-page link (an absolute URL) as a path to send, or "" unless it points below this
    // account's API: the credentials go along, so no other host is followed.
    std::string path_below(Json const& link) const;

private:
    void heed_limits(http::Response const& response);

    http::HttpClient& client_;
    std::string base_url_;
    std::string authorization_;
    std::shared_ptr<http::RequestBudget> budget_;
    http::RequestBudget::Lane lane_;
};

}  // namespace tb::zendesk
