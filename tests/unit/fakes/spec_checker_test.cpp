#include "tests/fakes/spec_checker.hpp"

#include <algorithm>
#include <string>

#include <doctest/doctest.h>

namespace {

using namespace tb::fakes;

constexpr auto kBotAuth = "Bearer xoxb-1234-5678-abcdefgh";
// base64("agent@example.com/token:abc123")
constexpr auto kZendeskBasic = "Basic YWdlbnRAZXhhbXBsZS5jb20vdG9rZW46YWJjMTIz";

Request slack_request(http::verb verb, std::string target, std::string body = {},
                      std::string content_type = "application/json; charset=utf-8") {
    Request req{verb, target, 11};
    req.set(http::field::authorization, kBotAuth);
    if (!body.empty()) {
        req.set(http::field::content_type, content_type);
        req.body() = std::move(body);
    }
    return req;
}

Request zendesk_request(http::verb verb, std::string target, std::string body = {},
                        std::string content_type = "application/json") {
    auto req = slack_request(verb, std::move(target), std::move(body), std::move(content_type));
    req.set(http::field::authorization, kZendeskBasic);
    return req;
}

bool mentions(std::vector<std::string> const& violations, std::string_view word) {
    return std::any_of(violations.begin(), violations.end(),
                       [&](auto const& v) { return v.find(word) != std::string::npos; });
}

std::string joined(std::vector<std::string> const& violations) {
    std::string out;
    for (auto const& v : violations) out += v + "\n";
    return out;
}

}  // namespace

TEST_CASE("spec checker (fakes) accepts chat.postMessage as JSON and as a form") {
    auto const& slack = SpecChecker::slack();
    auto const json = slack_request(http::verb::post, "/api/chat.postMessage",
                                    R"({"channel":"C0PARTNER","text":"hi","thread_ts":"1.2"})");
    auto const form =
        slack_request(http::verb::post, "/api/chat.postMessage",
                      "channel=C0PARTNER&text=hello+there", "application/x-www-form-urlencoded");
    CHECK_MESSAGE(slack.check(json, "/api").empty(), joined(slack.check(json, "/api")));
    CHECK_MESSAGE(slack.check(form, "/api").empty(), joined(slack.check(form, "/api")));
}

TEST_CASE("spec checker (fakes) rejects a Slack call without a required parameter") {
    auto const req =
        slack_request(http::verb::post, "/api/chat.postMessage", R"({"text":"no channel"})");
    auto const violations = SpecChecker::slack().check(req, "/api");
    CHECK(mentions(violations, "'channel'"));
    CHECK(violations.size() == 1);
}

TEST_CASE("spec checker (fakes) rejects an unknown Slack method and a wrong verb") {
    auto const& slack = SpecChecker::slack();
    CHECK(mentions(slack.check(slack_request(http::verb::post, "/api/chat.postMessages"), "/api"),
                   "unknown Slack method"));
    CHECK(mentions(
        slack.check(slack_request(http::verb::get, "/api/chat.postMessage?channel=C1"), "/api"),
        "must be called with POST"));
    CHECK(mentions(slack.check(slack_request(http::verb::delete_, "/api/chat.delete"), "/api"),
                   "GET or POST"));
}

TEST_CASE("spec checker (fakes) rejects missing and malformed Slack auth") {
    auto const& slack = SpecChecker::slack();
    auto req =
        slack_request(http::verb::post, "/api/chat.postMessage", R"({"channel":"C1","text":"x"})");
    req.erase(http::field::authorization);
    CHECK(mentions(slack.check(req, "/api"), "no Authorization"));
    req.set(http::field::authorization, "xoxb-1234-5678-abcdefgh");
    CHECK(mentions(slack.check(req, "/api"), "Bearer"));
    req.set(http::field::authorization, "Bearer xapp-1-A111-222-abcdef");
    CHECK(mentions(slack.check(req, "/api"), "xoxb-"));
    auto body_token = slack_request(http::verb::post, "/api/chat.postMessage",
                                    R"({"channel":"C1","text":"x","token":"xoxb-1"})");
    CHECK(mentions(slack.check(body_token, "/api"), "token inside a JSON body"));
}

TEST_CASE("spec checker (fakes) rejects a Slack content type the method does not consume") {
    auto const& slack = SpecChecker::slack();
    auto const text =
        slack_request(http::verb::post, "/api/chat.postMessage", "channel=C1", "text/plain");
    CHECK(mentions(slack.check(text, "/api"), "Content-Type 'text/plain'"));
    // users.info consumes only form bodies.
    auto const json = slack_request(http::verb::post, "/api/users.info", R"({"user":"U1"})");
    CHECK(mentions(slack.check(json, "/api"), "not accepted"));
}

TEST_CASE("spec checker (fakes) knows Slack methods newer than the spec") {
    auto const& slack = SpecChecker::slack();
    Request open{http::verb::post, "/api/apps.connections.open", 11};
    open.set(http::field::authorization, "Bearer xapp-1-A111-222-abcdef");
    CHECK_MESSAGE(slack.check(open, "/api").empty(), joined(slack.check(open, "/api")));
    open.set(http::field::authorization, kBotAuth);
    CHECK(mentions(slack.check(open, "/api"), "app-level token"));
}

TEST_CASE("spec checker (fakes) accepts Slack read methods by GET with query parameters") {
    auto const req = slack_request(http::verb::get, "/api/users.lookupByEmail?email=a%40b.c");
    CHECK_MESSAGE(SpecChecker::slack().check(req, "/api").empty(),
                  joined(SpecChecker::slack().check(req, "/api")));
    auto const missing = slack_request(http::verb::get, "/api/users.lookupByEmail");
    CHECK(mentions(SpecChecker::slack().check(missing, "/api"), "'email'"));
}

TEST_CASE("spec checker (fakes) accepts good Zendesk requests") {
    auto const& zendesk = SpecChecker::zendesk();
    std::vector<Request> const good{
        zendesk_request(http::verb::post, "/api/v2/tickets",
                        R"({"ticket":{"subject":"Login broken","comment":{"body":"help",)"
                        R"("public":true},"priority":"high","external_id":"slack:C1:1.2",)"
                        R"("tags":["slack"]}})"),
        zendesk_request(http::verb::get, "/api/v2/tickets?external_id=slack%3AC1%3A1.2"),
        zendesk_request(http::verb::get, "/api/v2/tickets/42"),
        zendesk_request(http::verb::get, "/api/v2/tickets/42/comments.json?page%5Bafter%5D=c2"),
        zendesk_request(
            http::verb::put, "/api/v2/tickets/42",
            R"({"ticket":{"status":"solved","comment":{"body":"done","public":false}}})"),
        zendesk_request(http::verb::get, "/api/v2/tickets/42/comments?page%5Bsize%5D=100"),
        zendesk_request(http::verb::get, "/api/v2/users/search?query=email%3Aa%40b.c"),
        zendesk_request(http::verb::get, "/api/v2/users/7"),
        zendesk_request(http::verb::post, "/api/v2/users/create_or_update",
                        R"({"user":{"name":"Ann","email":"ann@example.com"}})"),
        zendesk_request(http::verb::get, "/api/v2/groups/assignable"),
        zendesk_request(http::verb::post, "/api/v2/uploads?filename=a.png", "PNG...", "image/png"),
        zendesk_request(http::verb::get, "/api/v2/incremental/tickets/cursor?start_time=1"),
        zendesk_request(http::verb::get, "/api/v2/incremental/tickets/cursor?cursor=abc"),
        zendesk_request(http::verb::get, "/api/v2/webhooks/01ABC/signing_secret"),
        zendesk_request(http::verb::post, "/api/v2/webhooks",
                        R"({"webhook":{"name":"tb","status":"active","endpoint":"https://x/y",)"
                        R"("http_method":"POST","request_format":"json",)"
                        R"("subscriptions":["zen:event-type:ticket.created"]}})"),
    };
    for (auto const& req : good) {
        auto const violations = zendesk.check(req);
        CHECK_MESSAGE(violations.empty(), joined(violations));
    }
    auto bearer = zendesk_request(http::verb::get, "/api/v2/tickets/42");
    bearer.set(http::field::authorization, "Bearer oauth-token-123");
    CHECK(zendesk.check(bearer).empty());
}

TEST_CASE("spec checker (fakes) rejects a wrong Zendesk method and an unknown path") {
    auto const& zendesk = SpecChecker::zendesk();
    CHECK(mentions(
        zendesk.check(zendesk_request(http::verb::patch, "/api/v2/tickets/42", R"({"ticket":{}})")),
        "not allowed"));
    CHECK(mentions(zendesk.check(zendesk_request(http::verb::get, "/api/v2/tickts/42")),
                   "unknown Zendesk endpoint"));
    CHECK(mentions(zendesk.check(zendesk_request(http::verb::get, "/api/v2/tickets/abc")),
                   "must be an integer"));
}

TEST_CASE("spec checker (fakes) rejects Zendesk bodies missing required properties") {
    auto const& zendesk = SpecChecker::zendesk();
    auto const unwrapped = zendesk_request(http::verb::post, "/api/v2/tickets",
                                           R"({"subject":"x","comment":{"body":"y"}})");
    CHECK(mentions(zendesk.check(unwrapped), "'ticket'"));
    auto const no_comment =
        zendesk_request(http::verb::post, "/api/v2/tickets", R"({"ticket":{"subject":"x"}})");
    CHECK(mentions(zendesk.check(no_comment), "'comment'"));
    auto const bad_enum =
        zendesk_request(http::verb::put, "/api/v2/tickets/1", R"({"ticket":{"priority":"High"}})");
    CHECK(mentions(zendesk.check(bad_enum), "is not one of"));
    auto const no_body = zendesk_request(http::verb::post, "/api/v2/users");
    CHECK(mentions(zendesk.check(no_body), "request body is required"));
    auto const no_query = zendesk_request(http::verb::get, "/api/v2/users/search");
    CHECK(mentions(zendesk.check(no_query), "query or external_id"));
    auto const no_start = zendesk_request(http::verb::get, "/api/v2/incremental/tickets/cursor");
    CHECK(mentions(zendesk.check(no_start), "start_time or cursor"));
}

TEST_CASE("spec checker (fakes) rejects missing and malformed Zendesk auth") {
    auto const& zendesk = SpecChecker::zendesk();
    auto req = zendesk_request(http::verb::get, "/api/v2/tickets/1");
    req.erase(http::field::authorization);
    CHECK(mentions(zendesk.check(req), "no Authorization"));
    req.set(http::field::authorization, "Basic not*base64");
    CHECK(mentions(zendesk.check(req), "base64"));
    req.set(http::field::authorization, "Basic YWdlbnRAZXhhbXBsZS5jb206c2VjcmV0");  // a@x:secret
    CHECK(mentions(zendesk.check(req), "/token"));
    req.set(http::field::authorization, "Token abc");
    CHECK(mentions(zendesk.check(req), "neither Basic nor Bearer"));
}

TEST_CASE("spec checker (fakes) rejects a wrong Zendesk content type and a long Idempotency-Key") {
    auto const& zendesk = SpecChecker::zendesk();
    auto const body = R"({"ticket":{"subject":"x","comment":{"body":"y"}}})";
    auto const form = zendesk_request(http::verb::post, "/api/v2/tickets", body,
                                      "application/x-www-form-urlencoded");
    CHECK(mentions(zendesk.check(form), "Content-Type"));
    auto const charset = zendesk_request(http::verb::post, "/api/v2/tickets", body,
                                         "application/json; charset=utf-8");
    CHECK(zendesk.check(charset).empty());
    auto keyed = zendesk_request(http::verb::post, "/api/v2/tickets", body);
    keyed.set("Idempotency-Key", std::string(255, 'k'));
    CHECK(zendesk.check(keyed).empty());
    keyed.set("Idempotency-Key", std::string(256, 'k'));
    CHECK(mentions(zendesk.check(keyed), "longer than 255"));
    auto const patch_json = zendesk_request(http::verb::patch, "/api/v2/webhooks/01ABC",
                                            R"({"webhook":{"status":"inactive"}})");
    CHECK(mentions(zendesk.check(patch_json), "merge-patch"));
}

TEST_CASE("spec checker (fakes) checks responses leniently") {
    auto const& zendesk = SpecChecker::zendesk();
    auto const req = zendesk_request(http::verb::get, "/api/v2/tickets/1");
    Response ok{http::status::ok, 11};
    ok.set(http::field::content_type, "application/json");
    ok.body() = R"({"ticket":{"id":1,"extra_field_not_in_schema":true}})";
    CHECK(zendesk.check_response(req, ok).empty());
    ok.body() = "{not json";
    CHECK(mentions(zendesk.check_response(req, ok), "does not parse"));

    Response slack_ok{http::status::ok, 11};
    slack_ok.set(http::field::content_type, "application/json");
    slack_ok.body() = R"({"channel":"C1"})";
    auto const post = slack_request(http::verb::post, "/api/chat.postMessage");
    CHECK(mentions(SpecChecker::slack().check_response(post, slack_ok, "/api"), "'ok'"));
}
