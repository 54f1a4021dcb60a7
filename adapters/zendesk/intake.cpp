#include "adapters/zendesk/intake.hpp"

#include <nlohmann/json.hpp>

#include "adapters/zendesk/signature.hpp"

namespace tb::zendesk {
namespace {

using http::bhttp::status;
using nlohmann::json;

constexpr std::size_t kMaxDeliveryIdBytes = 256;

}  // namespace

ZendeskIntake::ZendeskIntake(std::string webhook_secret, http::IntakeContext context)
    : webhook_secret_{std::move(webhook_secret)}, context_{std::move(context)} {}

asio::awaitable<http::Response> ZendeskIntake::webhook(http::Request request) {
    auto const now = std::chrono::duration_cast<std::chrono::seconds>(
                         context_.clock.now().time_since_epoch()).count();
    auto const verdict = verify_webhook(
        webhook_secret_, http::header(request, "X-Zendesk-Webhook-Signature-Timestamp"),
        http::header(request, "X-Zendesk-Webhook-Signature"), request.body(), now);
    if (verdict != Verdict::valid) {
        co_return http::refuse(context_, request, status::unauthorized, "zendesk", to_string(verdict),
                               "webhook signature check failed");
    }
    auto const body = json::parse(request.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        co_return http::refuse(context_, request, status::bad_request, "zendesk", "malformed", "invalid JSON");
    }
    std::string id;
    if (auto const it = body.find("id"); it != body.end() && it->is_string()) id = it->get<std::string>();
    if (id.empty()) id = std::string{http::header(request, "X-Zendesk-Webhook-Invocation-Id")};
    if (id.empty() || id.size() > kMaxDeliveryIdBytes) {
        co_return http::refuse(context_, request, status::bad_request, "zendesk", "malformed",
                               "no event id or invocation id");
    }
    bot::Delivery delivery{bot::Source::zendesk_webhook, std::move(id), std::move(request.body()),
                           context_.clock.now()};
    auto ok = http::make_response(request, status::ok);
    co_return co_await http::record_then_answer(context_, request, std::move(delivery), std::move(ok));
}

}  // namespace tb::zendesk
