#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bot/config/settings.hpp"
#include "tests/fakes/fake_slack.hpp"
#include "tests/fakes/fake_zendesk.hpp"

namespace tb::cli::demo {

inline constexpr char const* kChannel = "C0DEMO";
inline constexpr char const* kChannelName = "login-partner-support";
inline constexpr char const* kAlertChannel = "C0ALERTS";
inline constexpr char const* kAlertChannelName = "support-alerts";
inline constexpr char const* kPartner = "U0PARTNER";
inline constexpr char const* kAgent = "U0AGENT1";
inline constexpr char const* kTicketEmoji = "ticket";
inline constexpr char const* kSigningSecret = "demo-signing-secret-not-for-production";
inline constexpr char const* kBotToken = "xoxb-demo-token";
inline constexpr char const* kZendeskEmail = "ticketbridge@gov.example";
inline constexpr char const* kZendeskToken = "demo-zendesk-api-token";
inline constexpr char const* kWebhookSecret = "demo-webhook-secret";

// Empty when the API descriptions the fakes check requests against load; otherwise what is
// missing and where it was looked for.
std::string specs_problem();

// A fake Slack workspace and a fake Zendesk account on 127.0.0.1, seeded with a partner's
// request, and the settings and secrets that point the real service at them.
class DemoWorld {
public:
    DemoWorld();  // starts both fakes; throws when they cannot start
    DemoWorld(DemoWorld const&) = delete;
    DemoWorld& operator=(DemoWorld const&) = delete;

    fakes::FakeSlack& slack() { return slack_; }
    fakes::FakeZendesk& zendesk() { return zendesk_; }
    fakes::FakeSlack const& slack() const { return slack_; }
    fakes::FakeZendesk const& zendesk() const { return zendesk_; }

    std::string const& root_ts() const { return root_ts_; }
    std::string const& reply_ts() const { return reply_ts_; }
    std::string group_name(std::int64_t id) const;
    // The bot's ticket card (a message with buttons) in the partner's thread, once posted.
    std::optional<fakes::SlackMessage> card() const;
    bool marked_created(std::string const& emoji) const;  // the bot's reaction on the message

    bot::Settings settings(std::uint16_t port) const;
    bot::Secrets secrets(std::string database_url) const;

    // Event bodies as Slack's Events API sends them; event ids are unique per run, so a
    // reused --db does not take them for redeliveries.
    std::string reaction_event() const;
    // Posts the partner's reply in the thread (after the bot's card) and returns its event.
    std::string partner_replies();
    // The form body of `/ticket <text>` typed by the agent in the channel; its answers go to
    // the fake's response_url named after `step`.
    std::string agent_command(std::string const& text, std::string const& step) const;
    // What the service answered through that response_url, once it has.
    std::optional<std::string> command_answer(std::string const& step) const;
    // Alex answers the partner in Zendesk's agent workspace; returns the ticket event that
    // Zendesk's webhook then sends (the fake Zendesk does not send webhooks itself).
    std::string agent_replies_in_zendesk(std::int64_t ticket_id);
    // Pat asks something else in the channel and Alex reacts with :ticket:; returns the event.
    std::string second_request();
    // What the bot posted in the alert channel, oldest first.
    std::vector<std::string> alerts() const;
    // The bot's last plain message in the partner's thread (status lines), if any.
    std::optional<std::string> last_thread_line() const;

private:
    fakes::FakeSlack slack_;
    fakes::FakeZendesk zendesk_;
    std::map<std::int64_t, std::string> groups_;
    std::int64_t alex_ = 0;  // Alex's Zendesk user
    std::string run_id_;
    std::string root_ts_;
    std::string reply_ts_;
    std::string second_ts_;
};

}  // namespace tb::cli::demo
