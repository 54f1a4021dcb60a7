#pragma once

// Internal to FakeSlack: the workspace, and the method table its .cpp files fill in.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bot/clock.hpp"
#include "tests/fakes/fake_slack_limits.hpp"
#include "tests/fakes/fake_slack_types.hpp"

namespace tb::fakes::slack_detail {

inline constexpr char const* kTeamId = "T0FAKE";
inline constexpr char const* kAppId = "A0FAKEAPP";
inline constexpr char const* kWorkspaceUrl = "https://fake.slack.com/";

using ChannelLog = std::map<std::int64_t, SlackMessage>;  // by ts in microseconds

struct Trigger {
    bot::Instant issued_at;
    bool used = false;
};

struct Workspace {
    std::map<std::string, SlackUser, std::less<>> users;
    std::map<std::string, SlackChannel, std::less<>> channels;
    std::map<std::string, ChannelLog, std::less<>> logs;
    std::map<std::string, std::vector<std::string>, std::less<>> usergroups;
    std::map<std::string, Trigger, std::less<>> triggers;
    std::map<std::string, int, std::less<>> response_url_uses;
    std::vector<SlackView> views;
    std::vector<SlackEphemeral> ephemerals;
    std::vector<ResponseUrlPost> response_posts;
    std::vector<SlackCall> calls;
    std::vector<std::string> violations;
    std::string expected_token;
    std::string bot_user_id = "U0FAKEBOT";
    std::string bot_id = "B0FAKEBOT";
    std::string base_url;
    std::int64_t last_ts_us = 0;
    int views_opened = 0;
    std::size_t ratelimited = 0;
    SlackRateLimiter limiter;

    // A fresh message ts, later than every ts seen so far.
    std::string next_ts(bot::Instant now);
    void saw_ts(std::int64_t ts_us);
    ChannelLog* log(std::string_view channel);
    SlackMessage* find(std::string_view channel, std::string_view ts);
    SlackMessage const* find(std::string_view channel, std::string_view ts) const;
    SlackFile const* find_file(std::string_view file_id, SlackMessage const** owner) const;
    // Root and replies of the thread `ts` belongs to, by ts; empty if there is no such message.
    std::vector<SlackMessage const*> thread(std::string_view channel, std::string_view ts) const;
};

struct State {
    explicit State(bot::Clock const* external) : clock{external ? external : &system_clock} {}
    bot::Instant now() const { return clock->now(); }

    std::mutex mutex;
    bot::SystemClock system_clock;
    bot::Clock const* clock;
    Workspace ws;
};

struct MethodContext {
    nlohmann::json const& params;
    bot::Instant now;
    std::string files_base;  // scheme://host that url_private points at
};

using MethodFn = nlohmann::json (*)(Workspace&, MethodContext const&);

struct MethodSpec {
    MethodFn fn;
    std::vector<std::string> required;  // checked even where the published spec is lax
};

using MethodTable = std::map<std::string, MethodSpec, std::less<>>;

void add_chat_methods(MethodTable& table);
void add_read_methods(MethodTable& table);
void add_interaction_methods(MethodTable& table);  // reactions.*, views.*

// Response bodies
nlohmann::json slack_ok(nlohmann::json fields = nlohmann::json::object());
nlohmann::json slack_error(std::string_view code);

// Slack timestamps: "1700000000.000100" <-> microseconds since the epoch
std::optional<std::int64_t> parse_ts(std::string_view ts);
std::string format_ts(std::int64_t ts_us);

}  // namespace tb::fakes::slack_detail
