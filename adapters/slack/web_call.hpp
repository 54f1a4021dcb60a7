#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "adapters/http/client.hpp"
#include "adapters/http/request_budget.hpp"
#include "bot/ports/api_error.hpp"

namespace tb::slack {

namespace asio = boost::asio;
using Json = nlohmann::json;
using QueryArgs = std::vector<std::pair<std::string, std::string>>;

// A Web API answer in the flows' terms: 429 or `ratelimited` -> rate_limited (Retry-After),
// 5xx and Slack's own transient errors -> unavailable, `ok:false` naming something missing ->
// not_found, any other `ok:false` -> rejected with Slack's error code. The body on success.
bot::ApiResult<Json> read_answer(http::Response const& response);

// Transport failures (no HTTP answer): unavailable.
bot::ApiError transport_error(error_code ec);

// Slack's tiers are floors ("50+ a minute") and it allows bursts, so a method runs free until Slack
// answers it 429; from then on its calls wait the Retry-After, then keep to its tier's pace.
// Sends Web API calls with the bot token as a bearer. The token goes only into the
// Authorization header of requests to the API host or Slack's file host; never into a URL,
// a body or an error message.
class WebCaller {
public:
    WebCaller(http::HttpClient& client, std::string api_url, std::string const& bot_token);

    // `method` is a literal ("chat.postMessage"), so no temporary lives in a co_await.
    // POST with a JSON body, for the methods whose spec accepts application/json.
    asio::awaitable<bot::ApiResult<Json>> post(char const* method, Json args);
    // GET with query arguments, for read methods that take no JSON body.
    asio::awaitable<bot::ApiResult<Json>> get(char const* method, QueryArgs args);
    // Downloads a url_private; `rejected` when the body is over max_bytes.
    asio::awaitable<bot::ApiResult<std::string>> fetch_file(std::string url,
                                                            std::int64_t max_bytes);
    // POSTs `body` as JSON to a command's or action's response_url, without the token. Only
    // https://hooks.slack.com/… or the API's own origin (a fake's) is accepted; any other URL
    // is `rejected` and nothing is sent. Slack answers such posts with a plain "ok".
    asio::awaitable<bot::ApiResult<void>> post_response(std::string url, Json body);

    // Calls a minute of `method`'s tier (Tier 2: 20, 3: 50, 4: 100, special ones as listed); 0
    // when it has none of ours (chat.postMessage goes by channel, see ChannelPacer).
    static int tier_per_minute(std::string_view method);
    // Every method with a tier of ours, and its calls a minute.
    static std::map<std::string_view, int> const& tiers();

private:
    asio::awaitable<bot::ApiResult<Json>> call(char const* method, http::OutboundRequest request);
    // The method's budget once Slack has limited it; none before.
    std::shared_ptr<http::RequestBudget> budget_of(std::string_view method, bool limited);
    bool may_get_token(std::string_view url) const;
    bool may_respond_to(std::string const& url) const;

    http::HttpClient& client_;
    std::string api_url_;  // no trailing '/'
    std::string api_host_;
    std::string api_origin_;  // scheme://host:port, lowercase, port always written
    std::string authorization_;
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<http::RequestBudget>, std::less<>> budgets_;
};

}  // namespace tb::slack
