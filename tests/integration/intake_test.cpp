// The real binary's HTTP intake: signed requests are recorded once and acknowledged; forged,
// stale, oversized and malformed ones get the right status, a log line and a metric.
#include <doctest/doctest.h>

#include <thread>

#include <nlohmann/json.hpp>

#include "tests/integration/service_fixture.hpp"
#include "tests/support/files.hpp"

using namespace tb::testing;

TEST_CASE("intake: health, readiness and metrics answer") {
    ServiceUnderTest service;
    CHECK(http_request(service.port(), "GET", "/healthz").status == 200);
    CHECK(http_request(service.port(), "GET", "/readyz").status == 200);
    auto const metrics = http_request(service.port(), "GET", "/metrics");
    CHECK(metrics.status == 200);
    CHECK(metrics.headers.at("content-type").starts_with("text/plain; version=0.0.4"));
    CHECK(metrics.body.find("# TYPE tb_http_requests_total counter") != std::string::npos);
    CHECK(metrics.body.find("# TYPE tb_inbox_depth gauge") != std::string::npos);
}

TEST_CASE("intake: Slack's url_verification challenge is answered") {
    ServiceUnderTest service;
    auto const body = read_file(spec_path("slack/samples/events-api/url_verification.json"));
    auto const answer = service.post_slack("/slack/events", body);
    CHECK(answer.status == 200);
    auto const challenge = nlohmann::json::parse(body)["challenge"].get<std::string>();
    CHECK(nlohmann::json::parse(answer.body)["challenge"] == challenge);
    CHECK(count_rows(service.db_path(), "SELECT count(*) FROM deliveries WHERE source <> 'scheduled'") == 0);
}

TEST_CASE("intake: a signed event is recorded once however often Slack redelivers it") {
    ServiceUnderTest service;
    auto const body = reaction_event("Ev0DUPLICATE1");
    CHECK(service.post_slack("/slack/events", body).status == 200);
    CHECK(service.post_slack("/slack/events", body, "application/json",
                             {{"X-Slack-Retry-Num", "1"}, {"X-Slack-Retry-Reason", "http_timeout"}}).status == 200);
    CHECK(service.post_slack("/slack/events", body, "application/json", {{"X-Slack-Retry-Num", "2"}}).status == 200);
    CHECK(count_rows(service.db_path(), "SELECT count(*) FROM deliveries WHERE source <> 'scheduled'") == 1);
    CHECK(count_rows(service.db_path(), "SELECT count(*) FROM jobs WHERE source <> 'scheduled'") == 1);
    auto const metrics = service.metrics();
    CHECK(metrics.find(R"(tb_intake_total{source="slack_event",outcome="new"} 1)") != std::string::npos);
    CHECK(metrics.find(R"(tb_intake_total{source="slack_event",outcome="duplicate"} 2)") != std::string::npos);
}

TEST_CASE("intake: the published Slack samples are accepted on their endpoints") {
    ServiceUnderTest service;
    auto const event = read_file(spec_path("slack/samples/events-api/event_callback.reaction_added.json"));
    CHECK(service.post_slack("/slack/events", event).status == 200);
    auto const command = read_file(spec_path("slack/samples/slash-commands/slash_command.form-urlencoded.txt"));
    CHECK(service.post_slack("/slack/commands", command, "application/x-www-form-urlencoded").status == 200);
    auto const action = read_file(spec_path("slack/samples/interactivity/block_actions.form-urlencoded.txt"));
    CHECK(service.post_slack("/slack/interactivity", action, "application/x-www-form-urlencoded").status == 200);
    auto const shortcut = read_file(spec_path("slack/samples/interactivity/message_action.form-urlencoded.txt"));
    CHECK(service.post_slack("/slack/interactivity", shortcut, "application/x-www-form-urlencoded").status == 200);
    CHECK(count_rows(service.db_path(), "SELECT count(*) FROM deliveries WHERE source <> 'scheduled'") == 4);
    CHECK(count_rows(service.db_path(), "SELECT count(*) FROM deliveries WHERE source = 'slack_command'") == 1);
    CHECK(count_rows(service.db_path(), "SELECT count(*) FROM deliveries WHERE source = 'slack_interaction'") == 2);
}

TEST_CASE("intake: forged, stale and unsigned Slack requests are refused with 401") {
    ServiceUnderTest service;
    auto const body = reaction_event("Ev0FORGED");
    auto forged = slack_signed_headers("not-the-secret", body, unix_now());
    CHECK(http_request(service.port(), "POST", "/slack/events", forged, body).status == 401);
    auto stale = slack_signed_headers(kSigningSecret, body, unix_now() - 301);
    CHECK(http_request(service.port(), "POST", "/slack/events", stale, body).status == 401);
    auto tampered = slack_signed_headers(kSigningSecret, body, unix_now());
    CHECK(http_request(service.port(), "POST", "/slack/events", tampered, body + " ").status == 401);
    CHECK(http_request(service.port(), "POST", "/slack/events", {{"Content-Type", "application/json"}}, body).status == 401);
    CHECK(http_request(service.port(), "POST", "/slack/commands", forged, body).status == 401);
    CHECK(http_request(service.port(), "POST", "/slack/interactivity", forged, body).status == 401);

    CHECK(count_rows(service.db_path(), "SELECT count(*) FROM deliveries WHERE source <> 'scheduled'") == 0);
    auto const metrics = service.metrics();
    CHECK(metrics.find(R"(tb_verification_failures_total{source="slack",reason="forged"} 4)") != std::string::npos);
    CHECK(metrics.find(R"(tb_verification_failures_total{source="slack",reason="stale"} 1)") != std::string::npos);
    CHECK(metrics.find(R"(tb_verification_failures_total{source="slack",reason="missing"} 1)") != std::string::npos);
    auto const log = service.log();
    CHECK(log.find("refused POST /slack/events (401): stale") != std::string::npos);
    CHECK(log.find(kSigningSecret) == std::string::npos);
}

TEST_CASE("intake: malformed bodies, wrong methods and unknown paths") {
    ServiceUnderTest service;
    CHECK(service.post_slack("/slack/events", "{not json").status == 400);
    CHECK(service.post_slack("/slack/events", R"({"type":"event_callback"})").status == 400);
    CHECK(service.post_slack("/slack/events", reaction_event("Ev1"), "text/plain").status == 400);
    CHECK(service.post_slack("/slack/commands", "command=%2Fticket&text=help", "application/x-www-form-urlencoded")
              .status == 400);
    CHECK(service.post_slack("/slack/interactivity", "payload=%7Bnope", "application/x-www-form-urlencoded")
              .status == 400);

    auto const get = http_request(service.port(), "GET", "/slack/events");
    CHECK(get.status == 405);
    CHECK(get.headers.at("allow") == "POST");
    CHECK(http_request(service.port(), "POST", "/healthz").status == 405);
    CHECK(http_request(service.port(), "GET", "/nowhere").status == 404);

    CHECK(raw_request(service.port(), "NOT-HTTP\r\n\r\n").status == 400);
    CHECK(raw_request(service.port(), "POST /slack/events HTTP/1.1\r\nContent-Length: zz\r\n\r\n").status == 400);
    CHECK(http_request(service.port(), "GET", "/healthz").status == 200);  // still serving
    auto const metrics = service.metrics();
    CHECK(metrics.find(R"(tb_verification_failures_total{source="slack",reason="malformed"} 5)") != std::string::npos);
    CHECK(metrics.find(R"(tb_http_requests_total{route="/slack/events",status="405"} 1)") != std::string::npos);
    CHECK(metrics.find(R"(tb_http_requests_total{route="unknown",status="404"} 1)") != std::string::npos);
}

TEST_CASE("intake: oversized bodies get 413 and oversized headers 431, without stalling the service") {
    ServiceUnderTest service{"server: { max_body_bytes: 4096 }\n"};
    std::string big(5000, 'x');
    auto const too_big = http_request(service.port(), "POST", "/slack/events",
                                      slack_signed_headers(kSigningSecret, big, unix_now()), big);
    CHECK(too_big.status == 413);
    auto const within = reaction_event("Ev0WITHIN" + std::string(3000, 'A'));
    CHECK(service.post_slack("/slack/events", within).status == 400);  // id too long, but read
    std::string huge_header(9000, 'h');
    CHECK(http_request(service.port(), "GET", "/healthz", {{"X-Big", huge_header}}).status == 431);
    CHECK(http_request(service.port(), "GET", "/healthz").status == 200);
    auto const metrics = service.metrics();
    CHECK(metrics.find(R"(tb_http_rejected_total{reason="body_too_large"} 1)") != std::string::npos);
    CHECK(metrics.find(R"(tb_http_rejected_total{reason="header_too_large"} 1)") != std::string::npos);
}

TEST_CASE("intake: Zendesk webhooks are verified, recorded once by event id, and stale ones refused") {
    ServiceUnderTest service;
    auto const body = read_file(spec_path("zendesk/samples/webhooks/event.ticket.status_changed.illustrative.json"));
    CHECK(service.post_zendesk(body).status == 200);
    CHECK(service.post_zendesk(body).status == 200);
    CHECK(count_rows(service.db_path(), "SELECT count(*) FROM deliveries WHERE source = 'zendesk_webhook'") == 1);

    auto forged = zendesk_signed_headers("wrong-secret", body, iso_utc(unix_now()));
    CHECK(http_request(service.port(), "POST", "/zendesk/webhook", forged, body).status == 401);
    auto stale = zendesk_signed_headers(kWebhookSecret, body, iso_utc(unix_now() - 600));
    CHECK(http_request(service.port(), "POST", "/zendesk/webhook", stale, body).status == 401);
    CHECK(service.post_zendesk("[1,2").status == 400);
    auto const metrics = service.metrics();
    CHECK(metrics.find(R"(tb_verification_failures_total{source="zendesk",reason="forged"} 1)") != std::string::npos);
    CHECK(metrics.find(R"(tb_verification_failures_total{source="zendesk",reason="stale"} 1)") != std::string::npos);
}

TEST_CASE("intake: accepted deliveries are worked off by the job runner") {
    ServiceUnderTest service;
    for (int i = 0; i < 5; ++i) CHECK(service.post_slack("/slack/events", reaction_event("Ev0RUN" + std::to_string(i))).status == 200);
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
    while (count_rows(service.db_path(), "SELECT count(*) FROM jobs WHERE source <> 'scheduled' AND state = 'done'") < 5 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    CHECK(count_rows(service.db_path(), "SELECT count(*) FROM jobs WHERE source <> 'scheduled' AND state = 'done'") == 5);
    auto const metrics = service.metrics();
    CHECK(metrics.find(R"(tb_jobs_total{source="slack_event",fate="done"} 5)") != std::string::npos);
    CHECK(metrics.find(R"(tb_flow_ignored_total{reason="other emoji"} 5)") != std::string::npos);
}
