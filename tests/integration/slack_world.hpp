#pragma once

#include <algorithm>
#include <chrono>
#include <utility>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/slack/form.hpp"
#include "tests/fakes/fake_slack.hpp"
#include "tests/fakes/fake_zendesk.hpp"
#include "tests/integration/service_fixture.hpp"

namespace tb::testing {

inline constexpr char const* kTeam = fakes::FakeSlack::kTeamId;

// Fake Slack and fake Zendesk on loopback, and the real service pointed at them.
struct SlackWorld {
    fakes::FakeSlack slack;
    fakes::FakeZendesk zendesk;
    std::optional<ServiceUnderTest> service;
    std::int64_t partner_group = 0;

    // slack_extra: more keys of the slack section, e.g. "  authorized: { users: [U0AGENT1] }\n";
    // more_yaml: more top-level sections; args: more options of `serve`.
    explicit SlackWorld(int channels = 1, std::string thread_replies = "public", std::string const& slack_extra = {},
                        std::string const& more_yaml = {}, std::vector<std::string> args = {}) {
        slack.start();
        slack.set_bot("U0BOT", "B0BOT");
        slack.expect_token("xoxb-test-token");
        slack.add_user("U0BOT", "ticketbridge", "ticketbridge", "", true);
        slack.add_user("U0PARTNER", "pat", "Pat Partner", "pat@partner.example");
        slack.add_user("U0AGENT1", "alex", "Alex Agent", "alex@gov.example");
        zendesk.expect_basic("bridge@example.com", "zendesk-test-token");
        partner_group = zendesk.add_group("Partnerships Engineering");
        std::string yaml = "slack:\n" + slack_extra + "  channels:\n";
        for (int i = 0; i < channels; ++i) {
            auto const id = channel(i);
            slack.add_channel(id, "partner-" + std::to_string(i));
            yaml += "    - id: " + id + "\n      name: partner-" + std::to_string(i) +
                    "\n      group: Partnerships Engineering\n      thread_replies: " + thread_replies + "\n";
        }
        service.emplace(yaml + more_yaml,
                        std::map<std::string, std::string>{{"SLACK_API_URL", slack.api_url()},
                                                           {"ZENDESK_URL", zendesk.base_url()}},
                        std::move(args));
    }

    static std::string channel(int i) { return i == 0 ? "C0PARTNER" : "C0PARTNER" + std::to_string(i); }

    static std::string reaction(std::string const& event_id, std::string const& channel, std::string const& ts,
                                std::string const& user = "U0AGENT1", std::string const& emoji = "ticket") {
        nlohmann::json body{{"token", "x"}, {"team_id", kTeam}, {"api_app_id", "A0001"},
                            {"type", "event_callback"}, {"event_id", event_id}, {"event_time", unix_now()},
                            {"event", {{"type", "reaction_added"}, {"user", user}, {"reaction", emoji},
                                       {"item", {{"type", "message"}, {"channel", channel}, {"ts", ts}}},
                                       {"event_ts", ts}}}};
        return body.dump();
    }

    static std::string message_event(std::string const& event_id, nlohmann::json event) {
        nlohmann::json body{{"token", "x"}, {"team_id", kTeam}, {"api_app_id", "A0001"},
                            {"type", "event_callback"}, {"event_id", event_id}, {"event_time", unix_now()},
                            {"event", std::move(event)}};
        return body.dump();
    }

    static std::string reply_event(std::string const& event_id, std::string const& channel, std::string const& ts,
                                   std::string const& thread_ts, std::string const& user, std::string const& text) {
        return message_event(event_id, {{"type", "message"}, {"channel", channel}, {"ts", ts},
                                        {"thread_ts", thread_ts}, {"user", user}, {"text", text},
                                        {"channel_type", "channel"}, {"event_ts", ts}});
    }

    int post_event(std::string const& body) { return service->post_slack("/slack/events", body).status; }

    // application/x-www-form-urlencoded, as Slack sends commands and interactions.
    static std::string form_body(std::vector<std::pair<std::string, std::string>> const& fields) {
        return slack::encode_form(fields);
    }

    // Posts `/ticket <text>` as `user` would send it; the answer is the acknowledgement.
    HttpAnswer slash(std::string const& user, std::string const& text, std::string const& trigger,
                     std::string const& channel_id = "C0PARTNER") {
        auto const body = form_body({{"token", "x"}, {"team_id", kTeam}, {"team_domain", "fake"},
                                     {"channel_id", channel_id}, {"channel_name", "partner-0"},
                                     {"user_id", user}, {"user_name", user}, {"command", "/ticket"},
                                     {"text", text}, {"api_app_id", "A0001"}, {"is_enterprise_install", "false"},
                                     {"response_url", slack.response_url(trigger)}, {"trigger_id", trigger}});
        return service->post_slack("/slack/commands", body, "application/x-www-form-urlencoded");
    }

    HttpAnswer interaction(nlohmann::json const& payload) {
        return service->post_slack("/slack/interactivity", form_body({{"payload", payload.dump()}}),
                                   "application/x-www-form-urlencoded");
    }

    // A bot message that carries the ticket card's buttons.
    static bool is_card(fakes::SlackMessage const& m) {
        return !m.bot_id.empty() && m.blocks.dump().find("ticket_take") != std::string::npos;
    }
    std::size_t cards(std::string const& channel_id) const {
        auto const all = slack.messages(channel_id);
        return static_cast<std::size_t>(std::count_if(all.begin(), all.end(), is_card));
    }

    static bool eventually(std::function<bool()> const& done, std::chrono::seconds limit = std::chrono::seconds{30}) {
        auto const until = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < until) {
            if (done()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds{50});
        }
        return done();
    }
};

}  // namespace tb::testing
