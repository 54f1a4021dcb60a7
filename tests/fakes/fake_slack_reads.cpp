// Read methods of FakeSlack: auth.test, conversations.*, users.*, usergroups.users.list,
// files.info.

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "tests/fakes/fake_slack_params.hpp"
#include "tests/fakes/fake_slack_render.hpp"
#include "tests/fakes/fake_slack_state.hpp"

namespace tb::fakes::slack_detail {
namespace {

using nlohmann::json;

constexpr std::string_view kCursorPrefix = "next_ts:";

std::string make_cursor(std::string const& ts) {
    return base64_encode(std::string{kCursorPrefix} + ts);
}

// The ts a page starts at, or nullopt when the cursor is not one this fake handed out.
std::optional<std::int64_t> read_cursor(std::string const& cursor) {
    auto const raw = base64_decode(cursor);
    if (!raw || !raw->starts_with(kCursorPrefix)) return std::nullopt;
    return parse_ts(std::string_view{*raw}.substr(kCursorPrefix.size()));
}

// Slack's oldest / latest / inclusive window.
struct Window {
    std::int64_t oldest = 0;
    std::int64_t latest = INT64_MAX;
    bool inclusive = false;

    bool contains(std::int64_t ts) const {
        return inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest;
    }
};

Window read_window(json const& params) {
    Window window;
    if (auto const oldest = parse_ts(str_param(params, "oldest"))) window.oldest = *oldest;
    if (auto const latest = parse_ts(str_param(params, "latest"))) window.latest = *latest;
    window.inclusive = bool_param(params, "inclusive", false);
    return window;
}

long long read_limit(json const& params, long long fallback, long long max) {
    auto const limit = int_param(params, "limit").value_or(fallback);
    return limit < 1 ? fallback : std::min(limit, max);
}

json page(json messages, bool has_more, std::string next_cursor) {
    return slack_ok({{"messages", std::move(messages)},
                     {"has_more", has_more},
                     {"response_metadata", {{"next_cursor", std::move(next_cursor)}}}});
}

json auth_test(Workspace& ws, MethodContext const&) {
    auto const bot = ws.users.find(ws.bot_user_id);
    return slack_ok({{"url", kWorkspaceUrl},
                     {"team", "Fake Workspace"},
                     {"user", bot == ws.users.end() ? "ticketbridge" : bot->second.name},
                     {"team_id", kTeamId},
                     {"user_id", ws.bot_user_id},
                     {"bot_id", ws.bot_id},
                     {"is_enterprise_install", false}});
}

json replies(Workspace& ws, MethodContext const& ctx) {
    auto const channel = str_param(ctx.params, "channel");
    if (!ws.channels.contains(channel)) return slack_error("channel_not_found");
    auto const thread = ws.thread(channel, str_param(ctx.params, "ts"));
    if (thread.empty()) return slack_error("thread_not_found");
    auto const window = read_window(ctx.params);
    auto const limit = read_limit(ctx.params, 1000, 1000);
    auto const cursor = str_param(ctx.params, "cursor");
    std::int64_t start = 0;
    if (!cursor.empty()) {
        auto const from = read_cursor(cursor);
        if (!from) return slack_error("invalid_cursor");
        start = *from;
    }

    auto messages = json::array();
    long long budget = limit;
    // The root leads the first page only; later pages hold replies alone.
    if (cursor.empty() && !thread.front()->is_reply()) {
        messages.push_back(render_message(ws, *thread.front(), ctx.files_base));
        --budget;
    }
    std::string next;
    for (auto const* message : thread) {
        auto const ts = *parse_ts(message->ts);
        if (!message->is_reply() || ts < start || !window.contains(ts)) continue;
        if (budget == 0) {
            next = make_cursor(message->ts);
            break;
        }
        messages.push_back(render_message(ws, *message, ctx.files_base));
        --budget;
    }
    return page(std::move(messages), !next.empty(), next);
}

json history(Workspace& ws, MethodContext const& ctx) {
    auto const channel = str_param(ctx.params, "channel");
    if (!ws.channels.contains(channel)) return slack_error("channel_not_found");
    auto const window = read_window(ctx.params);
    auto budget = read_limit(ctx.params, 100, 999);
    auto start = INT64_MAX;
    if (auto const cursor = str_param(ctx.params, "cursor"); !cursor.empty()) {
        auto const from = read_cursor(cursor);
        if (!from) return slack_error("invalid_cursor");
        start = *from;
    }

    auto messages = json::array();
    std::string next;
    auto const& log = ws.logs[channel];
    // Newest first, thread replies left out (they live in conversations.replies).
    for (auto it = log.rbegin(); it != log.rend(); ++it) {
        auto const& [ts, message] = *it;
        if (message.is_reply() || ts > start || !window.contains(ts)) continue;
        if (budget == 0) {
            next = make_cursor(message.ts);
            break;
        }
        messages.push_back(render_message(ws, message, ctx.files_base));
        --budget;
    }
    auto out = page(std::move(messages), !next.empty(), next);
    out["pin_count"] = 0;
    return out;
}

json conversation_info(Workspace& ws, MethodContext const& ctx) {
    auto const ch = ws.channels.find(str_param(ctx.params, "channel"));
    if (ch == ws.channels.end()) return slack_error("channel_not_found");
    return slack_ok({{"channel", render_channel(ch->second)}});
}

json user_info(Workspace& ws, MethodContext const& ctx) {
    auto const user = ws.users.find(str_param(ctx.params, "user"));
    if (user == ws.users.end()) return slack_error("user_not_found");
    return slack_ok({{"user", render_user(user->second)}});
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

json lookup_by_email(Workspace& ws, MethodContext const& ctx) {
    auto const email = lower(str_param(ctx.params, "email"));
    for (auto const& [id, user] : ws.users) {
        if (!user.email.empty() && lower(user.email) == email) {
            return slack_ok({{"user", render_user(user)}});
        }
    }
    return slack_error("users_not_found");
}

json usergroup_users(Workspace& ws, MethodContext const& ctx) {
    auto const group = ws.usergroups.find(str_param(ctx.params, "usergroup"));
    if (group == ws.usergroups.end()) return slack_error("no_such_subteam");
    return slack_ok({{"users", group->second}});
}

json file_info(Workspace& ws, MethodContext const& ctx) {
    SlackMessage const* owner = nullptr;
    auto const* file = ws.find_file(str_param(ctx.params, "file"), &owner);
    if (file == nullptr) return slack_error("file_not_found");
    return slack_ok({{"file", render_file(*file, *owner, ctx.files_base)},
                     {"comments", json::array()},
                     {"response_metadata", {{"next_cursor", ""}}}});
}

}  // namespace

void add_read_methods(MethodTable& table) {
    table["auth.test"] = {auth_test, {}};
    table["conversations.replies"] = {replies, {"channel", "ts"}};
    table["conversations.history"] = {history, {"channel"}};
    table["conversations.info"] = {conversation_info, {"channel"}};
    table["users.info"] = {user_info, {"user"}};
    table["users.lookupByEmail"] = {lookup_by_email, {"email"}};
    table["usergroups.users.list"] = {usergroup_users, {"usergroup"}};
    table["files.info"] = {file_info, {"file"}};
}

}  // namespace tb::fakes::slack_detail
