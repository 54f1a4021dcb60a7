#include "adapters/cli/demo_world.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/config/settings_loader.hpp"
#include "adapters/slack/form.hpp"
#include "tests/fakes/spec_checker.hpp"

namespace tb::cli::demo {
namespace {

using nlohmann::json;

constexpr char const* kPartnerMessage =
    "SAML sign-in failing with invalid_client\n"
    "Hi team, since 09:00 our users get 'invalid_client' when signing in with SAML. Can you check? "
    "<https://status.example.com|status page>";
constexpr char const* kPartnerReply =
    "Thanks! It started right after we rotated our SAML signing certificate this morning, if that "
    "helps.";

// What a team would write for this channel; only the port is filled in at run time.
constexpr char const* kConfig = R"(listen: { address: 127.0.0.1, port: 3000 }
server: { shutdown_grace: 5s }
slack:
  ticket_emoji: ticket
  created_emoji: white_check_mark
  alert_channel: C0ALERTS
  authorized: { users: [U0AGENT1] }
  channels:
    - id: C0DEMO
      name: login-partner-support
      group: Partnerships Engineering
      priority: normal
      thread_replies: public
zendesk:
  default_group: "2nd Line--GOV.UK Alerts and Issues"
  tags: [slack]
triage:
  - { keywords: [security, vulnerability], group: "3rd Line--Cyber Security", priority: high, tags: [security] }
  - { keywords: [saml, sso, oidc], priority: high, tags: [login] }
sla:
  # The demo team works round the clock, so the demo shows the same on any day of the week.
  calendar: { timezone: UTC, workdays: [mon, tue, wed, thu, fri, sat, sun], hours: "00:00-24:00" }
  first_reply: 2h
  warn_before: 1h
)";
constexpr char const* kSecondRequest = "Hello again: our logo no longer shows on the sign-in page since this morning.";

std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string slack_ts(std::int64_t us) {
    char micros[8];
    std::snprintf(micros, sizeof micros, "%06lld", static_cast<long long>(us % 1'000'000));
    return std::to_string(us / 1'000'000) + "." + micros;
}

std::int64_t ts_us(std::string const& ts) {
    auto const dot = ts.find('.');
    return std::stoll(ts.substr(0, dot)) * 1'000'000 + std::stoll(ts.substr(dot + 1));
}

std::string event_callback(std::string const& event_id, json event) {
    json body{{"token", "demo-verification-token"},
              {"team_id", fakes::FakeSlack::kTeamId},
              {"api_app_id", "A0DEMO"},
              {"type", "event_callback"},
              {"event_id", event_id},
              {"event_time", now_us() / 1'000'000},
              {"event", std::move(event)}};
    return body.dump();
}

}  // namespace

std::string specs_problem() {
    std::filesystem::path const dir{TB_SPECS_DIR};
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        return "the API descriptions the fake Slack and Zendesk check requests against are not "
               "at " +
               dir.string() +
               " (the ../shared/specs folder next to the source tree this binary was built from)";
    }
    try {
        fakes::SpecChecker::slack();
        fakes::SpecChecker::zendesk();
    } catch (std::exception const& e) {
        return "the API descriptions in " + dir.string() + " do not load: " + e.what();
    }
    return {};
}

DemoWorld::DemoWorld()
    : run_id_{std::to_string(now_us())}, root_ts_{slack_ts(now_us() - 180'000'000)} {
    slack_.start();
    slack_.set_bot("U0BOT", "B0BOT");
    slack_.expect_token(kBotToken);
    slack_.add_user("U0BOT", "ticketbridge", "ticketbridge", "", true);
    slack_.add_user(kPartner, "pat", "Pat Partner", "pat@partner.example");
    slack_.add_user(kAgent, "alex", "Alex Agent", "alex@gov.example");
    slack_.add_channel(kChannel, kChannelName);
    slack_.add_message(kChannel, root_ts_, kPartner, kPartnerMessage);
    slack_.add_channel(kAlertChannel, kAlertChannelName);

    zendesk_.expect_basic(kZendeskEmail, kZendeskToken);
    alex_ = zendesk_.add_user("Alex Agent", "alex@gov.example", "agent");
    for (auto const* name : {"Partnerships Engineering", "2nd Line--GOV.UK Alerts and Issues",
                             "3rd Line--Cyber Security"}) {
        groups_[zendesk_.add_group(name)] = name;
    }
}

std::string DemoWorld::group_name(std::int64_t id) const {
    auto const it = groups_.find(id);
    return it == groups_.end() ? "group " + std::to_string(id) : it->second;
}

std::optional<fakes::SlackMessage> DemoWorld::card() const {
    for (auto const& message : slack_.thread(kChannel, root_ts_)) {
        if (message.bot_id.empty() || !message.blocks.is_array()) continue;
        auto const& blocks = message.blocks;
        if (std::any_of(blocks.begin(), blocks.end(),
                        [](json const& b) { return b.value("type", "") == "actions"; })) {
            return message;
        }
    }
    return std::nullopt;
}

bool DemoWorld::marked_created(std::string const& emoji) const {
    auto const reactions = slack_.reactions(kChannel, root_ts_);
    return std::any_of(reactions.begin(), reactions.end(),
                       [&](auto const& r) { return r.name == emoji; });
}

bot::Settings DemoWorld::settings(std::uint16_t port) const {
    auto loaded = config::load_settings_text(kConfig);
    if (!loaded.ok()) {
        throw std::logic_error("demo config: " +
                               config::format_problem("demo", loaded.problems.front()));
    }
    loaded.settings.listen.port = port;
    return std::move(loaded.settings);
}

bot::Secrets DemoWorld::secrets(std::string database_url) const {
    bot::Secrets secrets;
    secrets.slack_signing_secret = kSigningSecret;
    secrets.slack_bot_token = kBotToken;
    secrets.zendesk_email = kZendeskEmail;
    secrets.zendesk_api_token = kZendeskToken;
    secrets.zendesk_webhook_secret = kWebhookSecret;
    secrets.zendesk_url = zendesk_.base_url();
    secrets.slack_api_url = slack_.api_url();
    secrets.database_url = std::move(database_url);
    return secrets;
}

std::string DemoWorld::reaction_event() const {
    json event{{"type", "reaction_added"},
               {"user", kAgent},
               {"reaction", kTicketEmoji},
               {"item_user", kPartner},
               {"item", {{"type", "message"}, {"channel", kChannel}, {"ts", root_ts_}}},
               {"event_ts", slack_ts(now_us())}};
    return event_callback("EvDEMO" + run_id_ + "R", std::move(event));
}

std::string DemoWorld::partner_replies() {
    auto us = now_us();
    for (auto const& message : slack_.thread(kChannel, root_ts_))
        us = std::max(us, ts_us(message.ts) + 1);
    reply_ts_ = slack_ts(us);
    slack_.add_message(kChannel, reply_ts_, kPartner, kPartnerReply, root_ts_);
    json event{{"type", "message"},         {"channel", kChannel},  {"user", kPartner},
               {"text", kPartnerReply},     {"ts", reply_ts_},      {"thread_ts", root_ts_},
               {"channel_type", "channel"}, {"event_ts", reply_ts_}};
    return event_callback("EvDEMO" + run_id_ + "T", std::move(event));
}

std::string DemoWorld::agent_command(std::string const& text, std::string const& step) const {
    return slack::encode_form({
        {"token", "demo"}, {"team_id", fakes::FakeSlack::kTeamId}, {"team_domain", "demo"},
        {"channel_id", kChannel}, {"channel_name", kChannelName}, {"user_id", kAgent},
        {"user_name", "alex"}, {"command", "/ticket"}, {"text", text}, {"api_app_id", "A0DEMO"},
        {"is_enterprise_install", "false"}, {"response_url", slack_.response_url(run_id_ + "-" + step)},
        {"trigger_id", "demo." + run_id_ + "." + step}});
}

std::optional<std::string> DemoWorld::command_answer(std::string const& step) const {
    for (auto const& post : slack_.response_url_posts()) {
        if (post.path.ends_with(run_id_ + "-" + step)) return post.body.value("text", std::string{});
    }
    return std::nullopt;
}

std::string DemoWorld::agent_replies_in_zendesk(std::int64_t ticket_id) {
    auto const text = std::string{"Thanks Pat. We see the certificate expired on our side; renewing it now."};
    zendesk_.agent_update(ticket_id, nlohmann::json::object(),
                          nlohmann::json{{"body", text}, {"public", true}, {"author_id", alex_}});
    auto const ticket = zendesk_.ticket(ticket_id);
    auto const comment_id = ticket && !ticket->comments.empty() ? ticket->comments.back().id : 0;
    auto const at = ticket ? ticket->updated_at : std::string{};
    nlohmann::json author{{"id", std::to_string(alex_)}, {"is_staff", true}, {"name", "Alex Agent"}};
    nlohmann::json comment{{"id", std::to_string(comment_id)}, {"body", text}, {"is_public", true}, {"author", author}};
    nlohmann::json detail{{"actor_id", std::to_string(alex_)}, {"id", std::to_string(ticket_id)},
                          {"status", "OPEN"}, {"updated_at", at}};
    return nlohmann::json{{"account_id", 1},
                          {"detail", detail},
                          {"event", {{"comment", comment}}},
                          {"id", "01HZDEMO" + run_id_ + std::to_string(comment_id)},
                          {"subject", "zen:ticket:" + std::to_string(ticket_id)},
                          {"time", at},
                          {"type", "zen:event-type:ticket.comment_added"},
                          {"zendesk_event_version", "2022-11-06"}}
        .dump();
}

std::string DemoWorld::second_request() {
    second_ts_ = slack_ts(now_us());
    slack_.add_message(kChannel, second_ts_, kPartner, kSecondRequest);
    json event{{"type", "reaction_added"},
               {"user", kAgent},
               {"reaction", kTicketEmoji},
               {"item_user", kPartner},
               {"item", {{"type", "message"}, {"channel", kChannel}, {"ts", second_ts_}}},
               {"event_ts", slack_ts(now_us())}};
    return event_callback("EvDEMO" + run_id_ + "R2", std::move(event));
}

std::vector<std::string> DemoWorld::alerts() const {
    std::vector<std::string> out;
    for (auto const& message : slack_.messages(kAlertChannel)) {
        if (!message.bot_id.empty()) out.push_back(message.text);
    }
    return out;
}

std::optional<std::string> DemoWorld::last_thread_line() const {
    std::optional<std::string> line;
    for (auto const& message : slack_.thread(kChannel, root_ts_)) {
        if (!message.bot_id.empty() && message.blocks.is_null()) line = message.text;
    }
    return line;
}

}  // namespace tb::cli::demo
