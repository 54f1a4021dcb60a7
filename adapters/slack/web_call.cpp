#include "adapters/slack/web_call.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace tb::slack {
namespace {

using Kind = bot::ApiError::Kind;

// Slack's errors that mean "what you named is not there".
constexpr std::array<std::string_view, 8> kNotFound{
    "channel_not_found", "thread_not_found", "message_not_found", "user_not_found",
    "users_not_found",   "file_not_found",   "not_found",         "no_such_subteam",
};
// Slack's errors that say "try again later".
constexpr std::array<std::string_view, 4> kTransient{"internal_error", "fatal_error",
                                                     "service_unavailable", "request_timeout"};

template <class T>
bot::ApiResult<T> failure(bot::ApiError error) {
    return {boost::system::in_place_error, std::move(error)};
}

std::optional<std::chrono::milliseconds> retry_after(http::Response const& response) {
    auto const value = response[http::bhttp::field::retry_after];
    if (value.empty() || value.size() > 9 ||
        !std::all_of(value.begin(), value.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; })) {
        return std::nullopt;
    }
    return std::chrono::seconds{std::stoll(std::string{value})};
}

bool contains(auto const& list, std::string_view code) {
    return std::find(list.begin(), list.end(), code) != list.end();
}

std::string host_of(std::string const& url) {
    auto const parsed = boost::urls::parse_absolute_uri(url);
    return parsed ? std::string{parsed->encoded_host()} : std::string{};
}

// "scheme://host:port" in lowercase with the scheme's default port written out; empty for
// URLs a response may not go to (relative, with user info, not http(s)).
std::string origin_of(std::string const& url) {
    auto const parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed || parsed->has_userinfo() || parsed->encoded_host().empty()) return {};
    std::string scheme{parsed->scheme()};
    std::string host{parsed->encoded_host()};
    for (auto* text : {&scheme, &host}) {
        std::transform(text->begin(), text->end(), text->begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
    if (scheme != "https" && scheme != "http") return {};
    std::string port{parsed->port()};
    if (port.empty()) port = scheme == "https" ? "443" : "80";
    return scheme + "://" + host + ":" + port;
}

std::string encoded(std::string_view text) {
    return boost::urls::encode(text, boost::urls::unreserved_chars);
}

}  // namespace

bot::ApiResult<Json> read_answer(http::Response const& response) {
    auto const status = response.result_int();
    if (status == 429) {
        return failure<Json>(
            bot::api_error(Kind::rate_limited, "ratelimited", retry_after(response)));
    }
    if (status >= 500) {
        return failure<Json>(bot::no_answer("HTTP " + std::to_string(status)));
    }
    auto body = Json::parse(response.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("ok")) {
        if (status != 200) {
            return failure<Json>(bot::api_error(Kind::rejected, "HTTP " + std::to_string(status)));
        }
        return failure<Json>(bot::api_error(Kind::unavailable, "response is not Slack's JSON"));
    }
    if (body["ok"] == true) return {boost::system::in_place_value, std::move(body)};
    auto const code = body.value("error", std::string{"unknown_error"});
    if (code == "ratelimited") {
        return failure<Json>(bot::api_error(Kind::rate_limited, code, retry_after(response)));
    }
    if (contains(kNotFound, code)) return failure<Json>(bot::api_error(Kind::not_found, code));
    if (contains(kTransient, code)) return failure<Json>(bot::no_answer(code));
    return failure<Json>(bot::api_error(Kind::rejected, code));
}

bot::ApiError transport_error(error_code ec) {
    return bot::no_answer(ec.message());
}

WebCaller::WebCaller(http::HttpClient& client, std::string api_url, std::string const& bot_token)
    : client_{client}, api_url_{std::move(api_url)}, authorization_{"Bearer " + bot_token} {
    while (!api_url_.empty() && api_url_.back() == '/') api_url_.pop_back();
    api_host_ = host_of(api_url_);
    api_origin_ = origin_of(api_url_);
}

asio::awaitable<bot::ApiResult<Json>> WebCaller::post(char const* method, Json args) {
    http::OutboundRequest request;
    request.method = http::bhttp::verb::post;
    request.url = api_url_ + "/" + std::string{method};
    request.body = args.dump();
    request.content_type = "application/json; charset=utf-8";
    co_return co_await call(method, std::move(request));
}

asio::awaitable<bot::ApiResult<Json>> WebCaller::get(char const* method, QueryArgs args) {
    http::OutboundRequest request;
    request.method = http::bhttp::verb::get;
    request.url = api_url_ + "/" + std::string{method};
    char separator = '?';
    for (auto const& [key, value] : args) {
        request.url += separator + encoded(key) + "=" + encoded(value);
        separator = '&';
    }
    co_return co_await call(method, std::move(request));
}

std::map<std::string_view, int> const& WebCaller::tiers() {
    // The methods ticketbridge calls, as ../shared/specs/slack/rate-limit-tiers.json lists them
    // (a unit test compares the two: production does not ship the specs).
    static std::map<std::string_view, int> const tiers{
        {"auth.test", 600},           {"chat.getPermalink", 600}, {"chat.postEphemeral", 100},
        {"chat.update", 50},          {"chat.delete", 50},        {"conversations.replies", 50},
        {"conversations.history", 50}, {"conversations.info", 50}, {"reactions.add", 50},
        {"reactions.get", 50},        {"reactions.remove", 20},   {"users.info", 100},
        {"users.lookupByEmail", 50},  {"usergroups.users.list", 20}, {"views.open", 100},
        {"views.update", 100},        {"views.publish", 100},     {"files.info", 100},
    };
    return tiers;
}

int WebCaller::tier_per_minute(std::string_view method) {
    auto const it = tiers().find(method);
    return it == tiers().end() ? 0 : it->second;
}

std::shared_ptr<http::RequestBudget> WebCaller::budget_of(std::string_view method, bool limited) {
    std::scoped_lock lock{mutex_};
    if (auto const it = budgets_.find(method); it != budgets_.end()) return it->second;
    auto const per_minute = tier_per_minute(method);
    // chat.postMessage is limited per channel: one busy channel must not hold back the others.
    if (!limited || per_minute == 0) return nullptr;
    auto budget = std::make_shared<http::RequestBudget>(per_minute);
    budgets_.emplace(std::string{method}, budget);
    return budget;
}

asio::awaitable<bot::ApiResult<Json>> WebCaller::call(char const* method, http::OutboundRequest request) {
    if (auto const budget = budget_of(method, false)) {
        if (auto const wait = co_await budget->take()) {
            co_return failure<Json>(bot::api_error(Kind::rate_limited,
                                                   std::string{"held back: Slack limited "} + method, *wait));
        }
    }
    request.headers.emplace_back("Authorization", authorization_);
    auto sent = co_await client_.send(std::move(request));
    if (!sent) co_return failure<Json>(transport_error(sent.error()));
    auto answer = read_answer(*sent);
    if (!answer && answer.error().kind == Kind::rate_limited) {
        if (auto const budget = budget_of(method, true)) {
            budget->pause(http::RequestBudget::Clock::now(), answer.error().retry_after.value_or(std::chrono::seconds{1}));
        }
    }
    co_return answer;
}

bool WebCaller::may_get_token(std::string_view url) const {
    auto const host = host_of(std::string{url});
    if (host.empty()) return false;
    return host == api_host_ || host == "slack.com" || host.ends_with(".slack.com");
}

asio::awaitable<bot::ApiResult<std::string>> WebCaller::fetch_file(std::string url,
                                                                   std::int64_t max_bytes) {
    if (!may_get_token(url)) {
        co_return failure<std::string>(
            bot::api_error(Kind::rejected, "file URL is not on Slack's file host"));
    }
    http::OutboundRequest request;
    request.method = http::bhttp::verb::get;
    request.url = std::move(url);
    request.headers.emplace_back("Authorization", authorization_);
    auto sent = co_await client_.send(std::move(request));
    if (!sent) {
        if (sent.error() == http::errc::response_too_large) {
            co_return failure<std::string>(bot::api_error(Kind::rejected, "file too large"));
        }
        co_return failure<std::string>(transport_error(sent.error()));
    }
    auto const status = sent->result_int();
    if (status == 429) {
        co_return failure<std::string>(
            bot::api_error(Kind::rate_limited, "ratelimited", retry_after(*sent)));
    }
    if (status >= 500) {
        co_return failure<std::string>(
            bot::api_error(Kind::unavailable, "HTTP " + std::to_string(status)));
    }
    if (status == 404 || status == 410) {
        co_return failure<std::string>(bot::api_error(Kind::not_found, "file_not_found"));
    }
    if (status >= 300 && status < 400) {
        // Slack's file host sends a login page to requests it does not accept the token of.
        co_return failure<std::string>(
            bot::api_error(Kind::rejected, "file download refused (needs files:read)"));
    }
    if (status != 200) {
        co_return failure<std::string>(
            bot::api_error(Kind::rejected, "file download: HTTP " + std::to_string(status)));
    }
    if (std::cmp_greater(sent->body().size(), max_bytes)) {
        co_return failure<std::string>(bot::api_error(Kind::rejected, "file too large"));
    }
    co_return std::move(sent->body());
}

bool WebCaller::may_respond_to(std::string const& url) const {
    auto const origin = origin_of(url);
    if (origin.empty()) return false;
    return origin == "https://hooks.slack.com:443" || origin == api_origin_;
}

asio::awaitable<bot::ApiResult<void>> WebCaller::post_response(std::string url, Json body) {
    if (!may_respond_to(url)) {
        co_return failure<void>(
            bot::api_error(Kind::rejected, "response_url is not on Slack's hooks host"));
    }
    http::OutboundRequest request;
    request.method = http::bhttp::verb::post;
    request.url = std::move(url);
    request.body = body.dump();
    request.content_type = "application/json; charset=utf-8";
    auto sent = co_await client_.send(std::move(request));
    if (!sent) co_return failure<void>(transport_error(sent.error()));
    auto const status = sent->result_int();
    if (status == 429) {
        co_return failure<void>(
            bot::api_error(Kind::rate_limited, "ratelimited", retry_after(*sent)));
    }
    if (status >= 500) {
        co_return failure<void>(
            bot::api_error(Kind::unavailable, "HTTP " + std::to_string(status)));
    }
    // Errors come as a short code ("used_url", "expired_url", "invalid_blocks"), sometimes
    // wrapped in Slack's usual {"ok":false,"error":…}.
    auto const answer = Json::parse(sent->body(), nullptr, false);
    std::string code;
    auto const ok = answer.is_object() ? answer.find("ok") : answer.end();
    if (answer.is_object() && ok != answer.end() && *ok == false) {
        auto const error = answer.find("error");
        code = error != answer.end() && error->is_string() ? error->get<std::string>()
                                                           : std::string{"unknown_error"};
    } else if (status != 200) {
        auto const& text = sent->body();
        auto const plain = !text.empty() && text.size() <= 64 &&
                           std::all_of(text.begin(), text.end(), [](unsigned char c) {
                               return std::isalnum(c) != 0 || c == '_';
                           });
        code = plain ? text : "HTTP " + std::to_string(status);
    }
    if (code.empty()) co_return bot::ApiResult<void>{};
    co_return failure<void>(bot::api_error(Kind::rejected, code));
}

}  // namespace tb::slack
