#include "adapters/zendesk/api_call.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <string_view>
#include <utility>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace tb::zendesk {
namespace {

using Kind = bot::ApiError::Kind;

constexpr std::size_t kMaxMessage = 300;

bot::ApiResult<Json> failure(Kind kind, std::string message,
                             std::optional<std::chrono::milliseconds> wait = {}) {
    return {boost::system::in_place_error, bot::api_error(kind, std::move(message), wait)};
}

bot::ApiResult<Json> no_answer(std::string message) {
    return {boost::system::in_place_error, bot::no_answer(std::move(message))};
}

// When Zendesk says none are left but not when more come: the sliding minute frees one soon.
constexpr std::chrono::seconds kNoneLeftPause{5};

std::optional<std::chrono::milliseconds> seconds_in(std::string_view value) {
    if (value.empty() || value.size() > 9 ||
        !std::all_of(value.begin(), value.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; })) {
        return std::nullopt;
    }
    return std::chrono::seconds{std::stoll(std::string{value})};
}

std::optional<std::chrono::milliseconds> retry_after(http::Response const& response) {
    return seconds_in(response[http::bhttp::field::retry_after]);
}

std::string shorten(std::string text) {
    auto const first = text.find_first_not_of(" \t\r\n");
    auto const last = text.find_last_not_of(" \t\r\n");
    text = first == std::string::npos ? std::string{} : text.substr(first, last - first + 1);
    if (text.size() > kMaxMessage) {
        text.resize(kMaxMessage);
        // Do not end inside a UTF-8 sequence.
        while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0x80U) != 0) {
            text.pop_back();
        }
        text += "...";
    }
    return text;
}

// "details": {"status": [{"description": "Status: closed prevents ticket update"}], ...}
std::string detail_descriptions(Json const& details) {
    std::string out;
    if (!details.is_object()) return out;
    for (auto const& [field, problems] : details.items()) {
        if (!problems.is_array()) continue;
        for (auto const& problem : problems) {
            auto text = problem.is_object() ? text_of(problem, "description") : std::string{};
            if (text.empty()) text = field + " is invalid";
            out += (out.empty() ? "" : "; ") + text;
        }
    }
    return out;
}

// Zendesk's documented answer to an update of a closed ticket (422 RecordInvalid).
bool is_closed_ticket(Json const& body) {
    auto const details = body.find("details");
    if (details == body.end() || !details->is_object()) return false;
    auto const status = details->find("status");
    if (status == details->end() || !status->is_array()) return false;
    return std::any_of(status->begin(), status->end(), [](Json const& problem) {
        return problem.is_object() &&
               text_of(problem, "description").find("closed") != std::string::npos;
    });
}

// The Webhooks API and other newer APIs: {"errors": [{"code", "title", "detail"}]}.
std::string listed_errors(Json const& errors) {
    std::string out;
    if (!errors.is_array()) return out;
    for (auto const& error : errors) {
        if (!error.is_object()) continue;
        auto text = text_of(error, "detail");
        if (text.empty()) text = text_of(error, "title");
        if (text.empty()) text = text_of(error, "code");
        if (!text.empty()) out += (out.empty() ? "" : "; ") + text;
    }
    return out;
}

}  // namespace

bot::ApiError malformed(char const* what) {
    return bot::api_error(Kind::unavailable, std::string{"response lacks "} + what);
}

std::string encoded(std::string_view text) {
    return boost::urls::encode(text, boost::urls::unreserved_chars);
}

std::string text_of(Json const& object, char const* key) {
    auto const it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

http::OutboundRequest request(http::bhttp::verb method, std::string path) {
    http::OutboundRequest out;
    out.method = method;
    out.url = std::move(path);
    return out;
}

http::OutboundRequest json_request(http::bhttp::verb method, std::string path, Json const& body) {
    auto out = request(method, std::move(path));
    out.body = body.dump();
    out.content_type = "application/json";
    return out;
}

std::string ApiCaller::path_below(Json const& link) const {
    if (!link.is_string()) return {};
    auto const url = link.get<std::string>();
    if (!url.starts_with(base_url_ + "/api/v2/")) return {};
    return url.substr(base_url_.size());
}

std::string describe_error(std::string const& body) {
    auto const json = Json::parse(body, nullptr, false);
    if (json.is_discarded() || !json.is_object()) return shorten(body);
    if (auto details = detail_descriptions(json.value("details", Json{})); !details.empty()) {
        return shorten(std::move(details));
    }
    if (auto listed = listed_errors(json.value("errors", Json{})); !listed.empty()) return shorten(std::move(listed));
    auto const error = json.find("error");
    if (error != json.end() && error->is_object()) {  // {"title": ..., "message": ...}
        auto const title = text_of(*error, "title");
        auto const message = text_of(*error, "message");
        return shorten(title.empty() ? message : message.empty() ? title : title + ": " + message);
    }
    auto const code = text_of(json, "error");
    auto const description = text_of(json, "description");
    if (code.empty() || description.empty()) return shorten(code + description);
    return shorten(code + ": " + description);
}

bot::ApiResult<Json> read_answer(http::Response const& response) {
    auto const status = response.result_int();
    auto const why = [&](std::string fallback) {
        auto text = describe_error(response.body());
        return text.empty() ? fallback : text;
    };
    if (status >= 200 && status < 300) {
        if (response.body().empty()) return {boost::system::in_place_value, Json::object()};
        auto body = Json::parse(response.body(), nullptr, false);
        if (body.is_discarded() || !body.is_object()) {
            return failure(Kind::unavailable, "response is not Zendesk's JSON");
        }
        return {boost::system::in_place_value, std::move(body)};
    }
    if (status == 429)
        return failure(Kind::rate_limited, why("rate limited"), retry_after(response));
    if (status == 401) return failure(Kind::rejected, "authentication failed");
    if (status == 404) return failure(Kind::not_found, why("not found"));
    if (status == 409) return failure(Kind::unavailable, why("update conflict"));
    if (status >= 500) return no_answer("HTTP " + std::to_string(status));
    if (status == 422) {
        auto const body = Json::parse(response.body(), nullptr, false);
        if (!body.is_discarded() && is_closed_ticket(body)) {
            return failure(Kind::closed, why("ticket is closed"));
        }
    }
    return failure(Kind::rejected, why("HTTP " + std::to_string(status)));
}

ApiCaller::ApiCaller(http::HttpClient& client, std::string base_url, std::string authorization,
                     std::shared_ptr<http::RequestBudget> budget, http::RequestBudget::Lane lane)
    : client_{client},
      base_url_{std::move(base_url)},
      authorization_{std::move(authorization)},
      budget_{std::move(budget)},
      lane_{lane} {
    while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

asio::awaitable<bot::ApiResult<Json>> ApiCaller::send(http::OutboundRequest request) {
    // Held by the frame: a waiting turn leaves the budget's line even when the frame outlives us.
    if (auto const budget = budget_) {
        if (auto const wait = co_await budget->take(lane_)) {
            co_return failure(Kind::rate_limited,
                              "held back: the account's " + std::to_string(budget->per_minute()) +
                                  " requests a minute (zendesk.requests_per_minute) are spent",
                              *wait);
        }
    }
    request.url = base_url_ + request.url;
    request.headers.emplace_back("Authorization", authorization_);
    request.headers.emplace_back("Accept", "application/json");
    auto sent = co_await client_.send(std::move(request));
    if (!sent) co_return no_answer(sent.error().message());
    heed_limits(*sent);
    co_return read_answer(*sent);
}

// A 429 pauses every caller of the account, not only the one that met it; so does a report that
// none of the minute's requests are left (other clients of the account spend them too).
void ApiCaller::heed_limits(http::Response const& response) {
    if (!budget_) return;
    auto const now = http::RequestBudget::Clock::now();
    if (response.result() == http::bhttp::status::too_many_requests) {
        budget_->pause(now, retry_after(response).value_or(std::chrono::seconds{1}));
        return;
    }
    for (auto const* name : {"X-Rate-Limit-Remaining", "ratelimit-remaining"}) {
        if (response[name] != "0") continue;
        auto const reset = seconds_in(response["ratelimit-reset"]);
        budget_->pause(now, reset.value_or(kNoneLeftPause));
        return;
    }
}

}  // namespace tb::zendesk
