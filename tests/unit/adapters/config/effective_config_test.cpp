#include "adapters/config/effective_config.hpp"

#include <string>

#include <doctest/doctest.h>

#include "adapters/config/settings_loader.hpp"

using tb::config::load_settings_file;
using tb::config::load_settings_text;
using tb::config::render_effective_config;

namespace {

tb::bot::Secrets some_secrets() {
    tb::bot::Secrets secrets;
    secrets.slack_signing_secret = "signing-5f3a9c";
    secrets.slack_bot_token = "xoxb-bot-77d1e0";
    secrets.zendesk_email = "agent@example.com";
    secrets.zendesk_api_token = "zd-token-0c4b2a";
    secrets.zendesk_webhook_secret = "zd-hook-91aa3f";
    secrets.zendesk_url = "https://acme.zendesk.com";
    secrets.database_url = "postgresql://tb:hunter2@db.internal:5432/tb";
    return secrets;
}

bool contains(std::string const& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

// The rendered settings without the trailing environment section, which is not a config key.
std::string settings_part(std::string const& rendered) {
    return rendered.substr(0, rendered.find("\nenvironment:") + 1);
}

}  // namespace

TEST_CASE("config: the effective config masks every secret") {
    auto const secrets = some_secrets();
    auto const rendered = render_effective_config(tb::bot::Settings{}, secrets);
    INFO(rendered);
    for (auto const* secret :
         {&secrets.slack_signing_secret, &secrets.slack_bot_token, &secrets.zendesk_email,
          &secrets.zendesk_api_token, &secrets.zendesk_webhook_secret}) {
        CHECK_FALSE(contains(rendered, *secret));
    }
    CHECK_FALSE(contains(rendered, "hunter2"));
    CHECK(contains(rendered, "SLACK_SIGNING_SECRET: set (masked)"));
    CHECK(contains(rendered, "SLACK_BOT_TOKEN: set (masked)"));
    CHECK(contains(rendered, "ZENDESK_API_TOKEN: set (masked)"));
    CHECK(contains(rendered, "SLACK_APP_TOKEN: not set"));
    CHECK(contains(rendered, "ZENDESK_OAUTH_TOKEN: not set"));
}

TEST_CASE("config: the effective config shows the API bases and database in clear") {
    auto const rendered = render_effective_config(tb::bot::Settings{}, some_secrets());
    INFO(rendered);
    CHECK(contains(rendered, "ZENDESK_URL: https://acme.zendesk.com"));
    CHECK(contains(rendered, "SLACK_API_URL: https://slack.com/api"));
    CHECK(contains(rendered, "DATABASE_URL: postgresql://tb:****@db.internal:5432/tb"));

    auto const unset = render_effective_config(tb::bot::Settings{}, tb::bot::Secrets{});
    CHECK(contains(unset, "ZENDESK_URL: not set"));
    CHECK(contains(unset, "DATABASE_URL: sqlite:ticketbridge.db"));
}

TEST_CASE("config: the effective config fills in the defaults") {
    auto const rendered = render_effective_config(tb::bot::Settings{}, tb::bot::Secrets{});
    INFO(rendered);
    CHECK(contains(rendered, "port: 3000"));
    CHECK(contains(rendered, "read_timeout: 10s"));
    CHECK(contains(rendered, "idle_timeout: 1m"));
    CHECK(contains(rendered, "max_body_bytes: 1048576"));
    CHECK(contains(rendered, "ticket_emoji: ticket"));
    CHECK(contains(rendered, "tags: [slack]"));
    CHECK(contains(rendered, "timezone: UTC"));
    CHECK(contains(rendered, "workdays: [mon, tue, wed, thu, fri]"));
    CHECK(contains(rendered, "hours: 09:00-17:30"));
    CHECK(contains(rendered, "first_reply: 2d"));
    CHECK(contains(rendered, "warn_before: 4h"));
    CHECK(contains(rendered, "first_reply: 0.8\n"));
    CHECK(contains(rendered, "alert_channel: not set"));
}

TEST_CASE("config: the effective config loads back to the same settings") {
    auto const example = load_settings_file(TB_SOURCE_DIR "/config/ticketbridge.yaml");
    REQUIRE(example.ok());
    auto const rendered = render_effective_config(example.settings, some_secrets());
    INFO(rendered);
    auto const reloaded = load_settings_text(settings_part(rendered));
    for (auto const& problem : reloaded.problems) {
        FAIL_CHECK(tb::config::format_problem("rendered", problem));
    }
    CHECK(render_effective_config(reloaded.settings, some_secrets()) == rendered);
    CHECK(contains(rendered, "name: login-partner-support"));
    CHECK(contains(rendered, "thread_replies: internal"));
    CHECK(contains(rendered, "group: 3rd Line--Cyber Security"));
    CHECK(contains(rendered, "2026-12-28"));
}
