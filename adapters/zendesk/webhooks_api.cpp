#include "adapters/zendesk/webhooks_api.hpp"

#include <optional>
#include <utility>

namespace tb::zendesk {
namespace {

using bot::ApiResult;
namespace bhttp = http::bhttp;

constexpr int kMaxListPages = 20;  // 2,000 webhooks: far more than an account has

Json write_fields(Webhook const& webhook) {
    Json subscriptions = Json::array();
    for (auto const& s : webhook.subscriptions) subscriptions.push_back(s);
    return Json{{"status", webhook.status},
                {"endpoint", webhook.endpoint},
                {"http_method", webhook.http_method},
                {"request_format", webhook.request_format},
                {"subscriptions", std::move(subscriptions)}};
}

std::optional<Webhook> parse_webhook(Json const& json) {
    if (!json.is_object()) return std::nullopt;
    Webhook out;
    out.id = text_of(json, "id");
    if (out.id.empty()) return std::nullopt;
    out.name = text_of(json, "name");
    out.status = text_of(json, "status");
    out.endpoint = text_of(json, "endpoint");
    out.http_method = text_of(json, "http_method");
    out.request_format = text_of(json, "request_format");
    auto const subscriptions = json.find("subscriptions");
    if (subscriptions != json.end() && subscriptions->is_array()) {
        for (auto const& s : *subscriptions) {
            if (s.is_string()) out.subscriptions.push_back(s.get<std::string>());
        }
    }
    return out;
}

}  // namespace

std::vector<std::string> ticket_event_subscriptions() {
    return {kTicketEventSubscriptions.begin(), kTicketEventSubscriptions.end()};
}

WebhooksApi::WebhooksApi(http::HttpClient& client, std::string zendesk_url,
                         ZendeskAuth const& auth)
    : api_{client, std::move(zendesk_url), authorization_header(auth)} {}

asio::awaitable<ApiResult<std::vector<Webhook>>> WebhooksApi::find_by_name(std::string name) {
    std::vector<Webhook> found;
    std::string after;
    for (int page = 0; page < kMaxListPages; ++page) {
        auto path = "/api/v2/webhooks?filter%5Bname_contains%5D=" + encoded(name) +
                    "&page%5Bsize%5D=100";
        if (!after.empty()) path += "&page%5Bafter%5D=" + encoded(after);
        auto list_request = request(bhttp::verb::get, std::move(path));
        auto answer = co_await api_.send(std::move(list_request));
        if (!answer) co_return failure<std::vector<Webhook>>(answer.error());
        auto const list = answer->find("webhooks");
        if (list == answer->end() || !list->is_array()) {
            co_return failure<std::vector<Webhook>>(malformed("webhooks"));
        }
        for (auto const& item : *list) {
            auto webhook = parse_webhook(item);
            if (webhook && webhook->name == name) found.push_back(std::move(*webhook));
        }
        auto const meta = answer->value("meta", Json::object());
        after = meta.is_object() ? text_of(meta, "after_cursor") : std::string{};
        if (!meta.is_object() || !meta.value("has_more", false) || after.empty()) break;
    }
    co_return std::move(found);
}

asio::awaitable<ApiResult<Webhook>> WebhooksApi::create(Webhook webhook) {
    auto fields = write_fields(webhook);
    fields["name"] = webhook.name;
    auto out = json_request(bhttp::verb::post, "/api/v2/webhooks", Json{{"webhook", std::move(fields)}});
    auto answer = co_await api_.send(std::move(out));
    if (!answer) co_return failure<Webhook>(answer.error());
    auto created = parse_webhook(answer->value("webhook", Json::object()));
    if (!created) co_return failure<Webhook>(malformed("the webhook's id"));
    co_return std::move(*created);
}

asio::awaitable<ApiResult<void>> WebhooksApi::update(Webhook webhook) {
    auto out = request(bhttp::verb::patch, "/api/v2/webhooks/" + encoded(webhook.id));
    out.body = Json{{"webhook", write_fields(webhook)}}.dump();
    out.content_type = "application/merge-patch+json";
    auto answer = co_await api_.send(std::move(out));
    if (!answer) co_return failure<void>(answer.error());
    co_return ApiResult<void>{};
}

asio::awaitable<ApiResult<std::string>> WebhooksApi::signing_secret(std::string id) {
    auto path = "/api/v2/webhooks/" + encoded(id) + "/signing_secret";
    auto secret_request = request(bhttp::verb::get, std::move(path));
    auto answer = co_await api_.send(std::move(secret_request));
    if (!answer) co_return failure<std::string>(answer.error());
    auto const secret = answer->value("signing_secret", Json::object());
    auto text = secret.is_object() ? text_of(secret, "secret") : std::string{};
    if (text.empty()) co_return failure<std::string>(malformed("signing_secret.secret"));
    co_return std::move(text);
}

}  // namespace tb::zendesk
