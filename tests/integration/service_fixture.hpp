#pragma once

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "tests/support/process.hpp"
#include "tests/support/raw_http.hpp"

namespace tb::testing {

inline constexpr char const* kSigningSecret = "8f742231b10e8888abcd99yyyzzz85a5";
inline constexpr char const* kWebhookSecret = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==";

// The real ticketbridge binary on a free port with its own SQLite file in a temp dir.
class ServiceUnderTest {
public:
    // args: more options of `serve`, e.g. {"--sla-speed", "1200"}.
    explicit ServiceUnderTest(std::string extra_yaml = {}, std::map<std::string, std::string> env = {},
                              std::vector<std::string> args = {})
        : dir_{temp_dir("tb-it")}, port_{free_port()}, extra_yaml_{std::move(extra_yaml)}, env_{std::move(env)},
          args_{std::move(args)} {
        std::ofstream config{config_path()};
        config << "listen: { address: 127.0.0.1, port: 3000 }\n" << extra_yaml_;
        if (extra_yaml_.find("slack:") == std::string::npos) {
            config << "slack:\n  channels:\n    - id: C0PARTNER\n      name: login-partner-support\n";
        }
        config.close();
        start();
    }
    ~ServiceUnderTest() {
        process_.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    // Starts (again) on the same port, file and config.
    void start() {
        std::map<std::string, std::string> env{
            {"PORT", std::to_string(port_)},
            {"SLACK_SIGNING_SECRET", kSigningSecret},
            {"SLACK_BOT_TOKEN", "xoxb-test-token"},
            {"ZENDESK_URL", "http://127.0.0.1:9"},
            {"ZENDESK_EMAIL", "bridge@example.com"},
            {"ZENDESK_API_TOKEN", "zendesk-test-token"},
            {"ZENDESK_WEBHOOK_SECRET", kWebhookSecret},
            {"DATABASE_URL", "sqlite:" + db_path().string()},
        };
        for (auto const& [k, v] : env_) env[k] = v;
        std::vector<std::string> args{"serve", "--config", config_path().string()};
        args.insert(args.end(), args_.begin(), args_.end());
        process_ = std::make_unique<ChildProcess>(TB_BINARY, args, env, dir_ / "service.log");
        REQUIRE_MESSAGE(wait_until_healthy(port_, std::chrono::seconds{15}), process_->output());
    }

    std::uint16_t port() const { return port_; }
    ChildProcess& process() { return *process_; }
    std::filesystem::path db_path() const { return dir_ / "ticketbridge.db"; }
    std::filesystem::path config_path() const { return dir_ / "ticketbridge.yaml"; }
    std::string log() const { return process_ ? process_->output() : std::string{}; }

    HttpAnswer post_slack(std::string const& path, std::string const& body,
                          std::string content_type = "application/json", Headers extra = {}) {
        auto headers = slack_signed_headers(kSigningSecret, body, unix_now(), std::move(content_type));
        headers.insert(headers.end(), extra.begin(), extra.end());
        return http_request(port_, "POST", path, headers, body);
    }
    HttpAnswer post_zendesk(std::string const& body) {
        return http_request(port_, "POST", "/zendesk/webhook",
                            zendesk_signed_headers(kWebhookSecret, body, iso_utc(unix_now())), body);
    }
    std::string metrics() { return http_request(port_, "GET", "/metrics").body; }

private:
    std::filesystem::path dir_;
    std::uint16_t port_;
    std::string extra_yaml_;
    std::map<std::string, std::string> env_;
    std::vector<std::string> args_;
    std::unique_ptr<ChildProcess> process_;
};

// A signed-ready reaction_added body whose emoji is not the ticket emoji: its job is worked off
// without calling Slack or Zendesk, so intake tests need no fakes.
std::string reaction_event(std::string const& event_id, std::string const& ts = "1700000000.000100");
std::int64_t count_rows(std::filesystem::path const& db, std::string const& sql);

}  // namespace tb::testing
