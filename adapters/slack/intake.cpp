#include "adapters/slack/intake.hpp"

#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "adapters/http/crypto.hpp"
#include "adapters/slack/form.hpp"
#include "adapters/slack/requests.hpp"
#include "adapters/slack/signature.hpp"
#include "bot/commands/command.hpp"

namespace tb::slack {
namespace {

using http::bhttp::status;
using nlohmann::json;

constexpr std::size_t kMaxDeliveryIdBytes = 256;

// The top-level fields of an Events API envelope that the intake needs. Read with a SAX
// handler: building the whole DOM of every event (only to read three strings) cost about as
// much as the signature check. Same answers as the DOM would give: a later duplicate key
// wins, a non-string value reads as "", and nested objects are only validated.
struct Envelope {
    bool is_object = false;
    bool has_event = false;
    std::string type;
    std::string event_id;
    std::string challenge;
};

class EnvelopeReader {
public:
    explicit EnvelopeReader(Envelope& out) : out_{out} {}

    bool null() { return value(nullptr); }
    bool boolean(bool /*v*/) { return value(nullptr); }
    bool number_integer(json::number_integer_t /*v*/) { return value(nullptr); }
    bool number_unsigned(json::number_unsigned_t /*v*/) { return value(nullptr); }
    bool number_float(json::number_float_t /*v*/, std::string const& /*text*/) { return value(nullptr); }
    bool string(std::string& v) { return value(&v); }
    bool binary(json::binary_t& /*v*/) { return value(nullptr); }
    bool start_object(std::size_t /*size*/) {
        if (depth_ == 0) out_.is_object = true;
        else value(nullptr);
        ++depth_;
        return true;
    }
    bool end_object() {
        --depth_;
        return true;
    }
    bool start_array(std::size_t /*size*/) {
        if (depth_ == 0) return false;  // not an envelope: stop reading
        value(nullptr);
        ++depth_;
        return true;
    }
    bool end_array() {
        --depth_;
        return true;
    }
    bool key(std::string& k) {
        if (depth_ == 1) key_.assign(k);
        return true;
    }
    bool parse_error(std::size_t /*position*/, std::string const& /*token*/,
                     nlohmann::detail::exception const& /*error*/) {
        return false;
    }

private:
    bool value(std::string* text) {
        if (depth_ != 1) return true;  // a nested value, or a scalar document (not an object)
        std::string* field = nullptr;
        if (key_ == "type") field = &out_.type;
        else if (key_ == "event_id") field = &out_.event_id;
        else if (key_ == "challenge") field = &out_.challenge;
        else if (key_ == "event") out_.has_event = true;
        if (field != nullptr) {
            if (text != nullptr) *field = std::move(*text);
            else field->clear();
        }
        return true;
    }

    Envelope& out_;
    int depth_ = 0;
    std::string key_;
};

// Nothing when the body is not valid JSON or not an object.
std::optional<Envelope> read_envelope(std::string const& body) {
    Envelope envelope;
    EnvelopeReader reader{envelope};
    if (!json::sax_parse(body, &reader) || !envelope.is_object) return std::nullopt;
    return envelope;
}

std::string string_field(json const& object, char const* key) {
    auto const it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

bool has_content_type(http::Request const& request, std::string_view expected) {
    auto const value = http::header(request, "Content-Type");
    return value.substr(0, expected.size()) == expected;
}

}  // namespace

SlackIntake::SlackIntake(std::string signing_secret, http::IntakeContext context, FormCheck check_form,
                         bot::CommandObserver* commands)
    : signing_secret_{std::move(signing_secret)},
      context_{std::move(context)},
      check_form_{std::move(check_form)},
      commands_{commands} {}

std::optional<http::Response> SlackIntake::refuse_unverified(http::Request const& request) {
    auto const now = std::chrono::duration_cast<std::chrono::seconds>(
                         context_.clock.now().time_since_epoch()).count();
    auto const verdict = verify_signature(signing_secret_, http::header(request, "X-Slack-Request-Timestamp"),
                                          http::header(request, "X-Slack-Signature"), request.body(), now);
    if (verdict == Verdict::valid) return std::nullopt;
    return http::refuse(context_, request, status::unauthorized, "slack", to_string(verdict),
                        "signature check failed");
}

http::Response SlackIntake::malformed(http::Request const& request, std::string_view detail) {
    return http::refuse(context_, request, status::bad_request, "slack", "malformed", detail);
}

asio::awaitable<http::Response> SlackIntake::events(http::Request request) {
    if (auto refusal = refuse_unverified(request)) co_return std::move(*refusal);
    if (!has_content_type(request, "application/json")) co_return malformed(request, "not JSON");
    auto body = read_envelope(request.body());
    if (!body) co_return malformed(request, "invalid JSON");

    auto const& type = body->type;
    if (type == "url_verification") {
        auto const& challenge = body->challenge;
        if (challenge.empty()) co_return malformed(request, "url_verification without challenge");
        co_return http::make_json_response(request, status::ok, json{{"challenge", challenge}}.dump());
    }
    if (type != "event_callback") {
        // app_rate_limited and types Slack may add later: acknowledged, nothing to do.
        context_.metrics.inc("tb_intake_total", {{"source", "slack_event"}, {"outcome", "ignored"}});
        spdlog::info("slack: acknowledged event envelope of type '{}'", type);
        co_return http::make_response(request, status::ok);
    }
    auto event_id = std::move(body->event_id);
    if (event_id.empty() || event_id.size() > kMaxDeliveryIdBytes || !body->has_event) {
        co_return malformed(request, "event_callback without event_id or event");
    }
    if (auto const retry = http::header(request, "X-Slack-Retry-Num"); !retry.empty()) {
        spdlog::info("slack: redelivery {} of {} ({})", std::string{retry}, event_id,
                     std::string{http::header(request, "X-Slack-Retry-Reason")});
    }
    bot::Delivery delivery{bot::Source::slack_event, std::move(event_id), std::move(request.body()),
                           context_.clock.now()};
    auto ok = http::make_response(request, status::ok);
    co_return co_await http::record_then_answer(context_, request, std::move(delivery), std::move(ok));
}

asio::awaitable<http::Response> SlackIntake::commands(http::Request request) {
    if (auto refusal = refuse_unverified(request)) co_return std::move(*refusal);
    if (!has_content_type(request, "application/x-www-form-urlencoded")) {
        co_return malformed(request, "not form-encoded");
    }
    auto const form = parse_form(request.body());
    if (!form) co_return malformed(request, "invalid form body");
    if (form->contains("ssl_check")) co_return http::make_response(request, status::ok);
    for (auto const* key : {"command", "team_id", "user_id", "channel_id", "trigger_id", "response_url"}) {
        if (!form->contains(key) || form->at(key).empty()) {
            co_return malformed(request, std::string{"slash command without "} + key);
        }
    }
    auto const& trigger = form->at("trigger_id");
    if (trigger.size() > kMaxDeliveryIdBytes) co_return malformed(request, "trigger_id too long");
    // Recorded whatever it says (accepted means durable). A mistake or `help` is answered here
    // in full and queues no job; the rest say what is coming through the response_url.
    auto const ack = bot::acknowledge(form->count("text") ? form->at("text") : std::string{});
    auto ok = http::make_json_response(request, status::ok, ephemeral_response(ack.text));
    bot::Delivery delivery{bot::Source::slack_command, "trigger:" + trigger, std::move(request.body()),
                           context_.clock.now(), ack.final};
    if (ack.final && commands_) commands_->finished(bot::Verb::help, ack.outcome);
    co_return co_await http::record_then_answer(context_, request, std::move(delivery), std::move(ok));
}

asio::awaitable<http::Response> SlackIntake::interactivity(http::Request request) {
    if (auto refusal = refuse_unverified(request)) co_return std::move(*refusal);
    if (!has_content_type(request, "application/x-www-form-urlencoded")) {
        co_return malformed(request, "not form-encoded");
    }
    auto const form = parse_form(request.body());
    if (!form || !form->contains("payload")) co_return malformed(request, "no payload field");
    auto const payload = json::parse(form->at("payload"), nullptr, false);
    if (payload.is_discarded() || !payload.is_object() || string_field(payload, "type").empty()) {
        co_return malformed(request, "payload is not an interaction");
    }
    // A trigger_id names one user action; payloads without one are keyed by their content.
    auto id = string_field(payload, "trigger_id");
    id = id.empty() ? "payload:" + http::to_hex(http::hmac_sha256("ticketbridge", form->at("payload")))
                    : "trigger:" + id;
    if (id.size() > kMaxDeliveryIdBytes) co_return malformed(request, "trigger_id too long");
    if (auto ticket_form = read_ticket_form(payload); ticket_form && check_form_) {
        auto const problems = co_await check_form_(std::move(*ticket_form));
        if (!problems.empty()) {
            context_.metrics.inc("tb_intake_total", {{"source", "slack_interaction"}, {"outcome", "form_errors"}});
            spdlog::info("slack: ticket form returned with {} problem(s)", problems.size());
            co_return http::make_json_response(request, status::ok, form_errors_response(problems));
        }
    }
    bot::Delivery delivery{bot::Source::slack_interaction, std::move(id), form->at("payload"),
                           context_.clock.now()};
    auto ok = http::make_response(request, status::ok);
    co_return co_await http::record_then_answer(context_, request, std::move(delivery), std::move(ok));
}

}  // namespace tb::slack
