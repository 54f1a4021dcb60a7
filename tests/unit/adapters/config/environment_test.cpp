#include "adapters/config/environment.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <string_view>

#include <doctest/doctest.h>

using tb::config::check_secrets_for_serve;
using tb::config::secrets_from_environment;

namespace {

using Environment = std::map<std::string, std::string, std::less<>>;

tb::bot::Secrets secrets_from(Environment const& environment) {
    return secrets_from_environment([&environment](char const* name) -> char const* {
        auto const found = environment.find(name);
        return found == environment.end() ? nullptr : found->second.c_str();
    });
}

Environment complete_environment() {
    return {
        {"SLACK_SIGNING_SECRET", "8f742231b10e8888abcd99yyyzzz85a5"},
        {"SLACK_BOT_TOKEN", "xoxb-1111-2222-SECRETBOT"},
        {"SLACK_APP_TOKEN", "xapp-1-A111-2222-SECRETAPP"},
        {"ZENDESK_EMAIL", "agent@example.com"},
        {"ZENDESK_API_TOKEN", "zd-api-SECRETTOKEN"},
        {"ZENDESK_WEBHOOK_SECRET", "zd-hook-SECRETHOOK"},
        {"ZENDESK_URL", "https://acme.zendesk.com"},
    };
}

bool any_mentions(std::vector<std::string> const& messages, std::string_view text) {
    return std::any_of(messages.begin(), messages.end(), [text](std::string const& message) {
        return message.find(text) != std::string::npos;
    });
}

std::string joined(std::vector<std::string> const& messages) {
    std::string text;
    for (auto const& message : messages) text += message + "\n";
    return text;
}

}  // namespace

TEST_CASE("config: secrets are read from the environment, with defaults for the bases") {
    auto const secrets = secrets_from(complete_environment());
    CHECK(secrets.slack_signing_secret == "8f742231b10e8888abcd99yyyzzz85a5");
    CHECK(secrets.slack_bot_token == "xoxb-1111-2222-SECRETBOT");
    CHECK(secrets.slack_app_token == "xapp-1-A111-2222-SECRETAPP");
    CHECK(secrets.zendesk_email == "agent@example.com");
    CHECK(secrets.zendesk_api_token == "zd-api-SECRETTOKEN");
    CHECK(secrets.zendesk_oauth_token.empty());
    CHECK(secrets.zendesk_webhook_secret == "zd-hook-SECRETHOOK");
    CHECK(secrets.zendesk_url == "https://acme.zendesk.com");
    CHECK(secrets.slack_api_url == "https://slack.com/api");
    CHECK(secrets.database_url == "sqlite:ticketbridge.db");
}

TEST_CASE("config: variables are trimmed, empty ones are unset, URL bases lose a trailing /") {
    auto environment = complete_environment();
    environment["SLACK_SIGNING_SECRET"] = "  abc123\n";
    environment["SLACK_API_URL"] = "";
    environment["DATABASE_URL"] = "postgresql://tb@db/tb";
    environment["ZENDESK_URL"] = "https://acme.zendesk.com/";
    environment["ZENDESK_OAUTH_TOKEN"] = " \t";
    auto const secrets = secrets_from(environment);
    CHECK(secrets.slack_signing_secret == "abc123");
    CHECK(secrets.slack_api_url == "https://slack.com/api");
    CHECK(secrets.database_url == "postgresql://tb@db/tb");
    CHECK(secrets.zendesk_url == "https://acme.zendesk.com");
    CHECK(secrets.zendesk_oauth_token.empty());
}

TEST_CASE("config: a complete environment has no problems") {
    auto const problems = check_secrets_for_serve(secrets_from(complete_environment()));
    INFO(joined(problems));
    CHECK(problems.empty());
}

TEST_CASE("config: each missing required variable is named") {
    for (std::string const name :
         {"SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "ZENDESK_URL", "ZENDESK_WEBHOOK_SECRET",
          "ZENDESK_API_TOKEN", "ZENDESK_EMAIL"}) {
        CAPTURE(name);
        auto environment = complete_environment();
        environment.erase(name);
        auto const problems = check_secrets_for_serve(secrets_from(environment));
        INFO(joined(problems));
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].find(name + " is not set") != std::string::npos);
    }
}

TEST_CASE("config: Zendesk needs e-mail and API token, or an OAuth token") {
    auto environment = complete_environment();
    environment.erase("ZENDESK_EMAIL");
    environment.erase("ZENDESK_API_TOKEN");
    auto problems = check_secrets_for_serve(secrets_from(environment));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("ZENDESK_EMAIL and ZENDESK_API_TOKEN, or ZENDESK_OAUTH_TOKEN") !=
          std::string::npos);

    environment["ZENDESK_OAUTH_TOKEN"] = "zd-oauth-SECRET";
    problems = check_secrets_for_serve(secrets_from(environment));
    INFO(joined(problems));
    CHECK(problems.empty());

    environment = complete_environment();
    environment["ZENDESK_EMAIL"] = "agent@example.com/token";
    CHECK(any_mentions(check_secrets_for_serve(secrets_from(environment)), "ZENDESK_EMAIL"));
}

TEST_CASE("config: API bases must be https, or http on loopback only") {
    for (std::string const name : {"ZENDESK_URL", "SLACK_API_URL"}) {
        CAPTURE(name);
        auto environment = complete_environment();
        environment[name] = "http://example.com";
        auto problems = check_secrets_for_serve(secrets_from(environment));
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].find(name + " is refused") != std::string::npos);
        CHECK(problems[0].find("loopback") != std::string::npos);

        environment[name] = "http://127.0.0.1:9";
        problems = check_secrets_for_serve(secrets_from(environment));
        INFO(joined(problems));
        CHECK(problems.empty());

        environment[name] = "ftp://example.com";
        CHECK(any_mentions(check_secrets_for_serve(secrets_from(environment)), name));
    }
}

TEST_CASE("config: ZENDESK_URL is the account address, without /api/v2") {
    auto environment = complete_environment();
    environment["ZENDESK_URL"] = "https://acme.zendesk.com/api/v2";
    auto const problems = check_secrets_for_serve(secrets_from(environment));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("ZENDESK_URL must not contain /api/v2") != std::string::npos);
}

TEST_CASE("config: DATABASE_URL is sqlite:PATH or postgresql://") {
    for (std::string const accepted : {"sqlite:ticketbridge.db", "sqlite:/var/lib/tb/tb.db",
                                       "postgresql://tb:pw@db:5432/tb", "postgres://db/tb"}) {
        CAPTURE(accepted);
        auto environment = complete_environment();
        environment["DATABASE_URL"] = accepted;
        CHECK(check_secrets_for_serve(secrets_from(environment)).empty());
    }
    for (std::string const refused : {"sqlite:", "mysql://db/tb", "ticketbridge.db"}) {
        CAPTURE(refused);
        auto environment = complete_environment();
        environment["DATABASE_URL"] = refused;
        auto const problems = check_secrets_for_serve(secrets_from(environment));
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].find("DATABASE_URL must be") != std::string::npos);
    }
}

TEST_CASE("config: tokens of the wrong kind are named without their value") {
    auto environment = complete_environment();
    environment["SLACK_BOT_TOKEN"] = "xoxp-SECRETUSERTOKEN";
    environment["SLACK_APP_TOKEN"] = "xoxb-SECRETBOT2";
    auto const problems = check_secrets_for_serve(secrets_from(environment));
    INFO(joined(problems));
    REQUIRE(problems.size() == 2);
    CHECK(any_mentions(problems, "SLACK_BOT_TOKEN does not look like a bot token"));
    CHECK(any_mentions(problems, "SLACK_APP_TOKEN does not look like an app-level token"));
    CHECK_FALSE(any_mentions(problems, "SECRET"));
}

TEST_CASE("config: no message repeats a variable's value") {
    Environment const environment{
        {"SLACK_SIGNING_SECRET", ""},
        {"SLACK_BOT_TOKEN", "SECRET-bot"},
        {"SLACK_APP_TOKEN", "SECRET-app"},
        {"ZENDESK_EMAIL", "SECRET-email"},
        {"ZENDESK_WEBHOOK_SECRET", ""},
        {"ZENDESK_URL", "http://SECRET-host.example/api/v2"},
        {"SLACK_API_URL", "http://SECRET-slack.example"},
        {"DATABASE_URL", "mysql://user:SECRET-pw@db/tb"},
    };
    auto const problems = check_secrets_for_serve(secrets_from(environment));
    INFO(joined(problems));
    CHECK(problems.size() >= 8);
    CHECK_FALSE(any_mentions(problems, "SECRET-"));
}

TEST_CASE("config: redact_url masks passwords in user info and in query parameters") {
    using tb::config::redact_url;
    CHECK(redact_url("postgresql://tb:hunter2@db:5432/tb") == "postgresql://tb:****@db:5432/tb");
    CHECK(redact_url("postgresql://tb@db/tb") == "postgresql://tb@db/tb");
    CHECK(redact_url("postgresql://db/tb?user=tb&password=hunter2&sslmode=require") ==
          "postgresql://db/tb?user=tb&password=****&sslmode=require");
    CHECK(redact_url("postgresql://tb:p%40ss@h1:5432,h2:5432/tb") ==
          "postgresql://tb:****@h1:5432,h2:5432/tb");
    CHECK(redact_url("sqlite:ticketbridge.db") == "sqlite:ticketbridge.db");
    CHECK(redact_url("https://acme.zendesk.com") == "https://acme.zendesk.com");
    CHECK(redact_url("host=db password=hunter2").find("hunter2") == std::string::npos);
}
