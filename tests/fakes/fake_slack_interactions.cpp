// reactions.* and views.* methods of FakeSlack.

#include <algorithm>
#include <cstdio>

#include "tests/fakes/fake_slack_params.hpp"
#include "tests/fakes/fake_slack_render.hpp"
#include "tests/fakes/fake_slack_state.hpp"

namespace tb::fakes::slack_detail {
namespace {

using nlohmann::json;

constexpr auto kTriggerLifetime = std::chrono::seconds{3};

json invalid_arguments(std::string const& why) {
    auto out = slack_error("invalid_arguments");
    out["response_metadata"] = {{"messages", {"[ERROR] " + why}}};
    return out;
}

json add_reaction(Workspace& ws, MethodContext const& ctx) {
    auto const channel = str_param(ctx.params, "channel");
    auto const timestamp = str_param(ctx.params, "timestamp");
    auto const name = str_param(ctx.params, "name");
    if (!ws.channels.contains(channel)) return slack_error("channel_not_found");
    if (!parse_ts(timestamp)) return slack_error("bad_timestamp");
    if (name.empty() || name.find(':') != std::string::npos) return slack_error("invalid_name");
    auto* message = ws.find(channel, timestamp);
    if (message == nullptr) return slack_error("message_not_found");

    auto& reactions = message->reactions;
    auto it = std::find_if(reactions.begin(), reactions.end(),
                           [&](SlackReaction const& r) { return r.name == name; });
    if (it == reactions.end()) it = reactions.insert(reactions.end(), SlackReaction{name, {}});
    auto& users = it->users;
    if (std::find(users.begin(), users.end(), ws.bot_user_id) != users.end()) {
        return slack_error("already_reacted");
    }
    users.push_back(ws.bot_user_id);
    return slack_ok();
}

json get_reactions(Workspace& ws, MethodContext const& ctx) {
    auto const channel = str_param(ctx.params, "channel");
    auto const timestamp = str_param(ctx.params, "timestamp");
    if (!str_param(ctx.params, "file").empty()) return slack_error("file_not_found");
    if (channel.empty() || timestamp.empty()) return slack_error("no_item_specified");
    if (!ws.channels.contains(channel)) return slack_error("channel_not_found");
    if (!parse_ts(timestamp)) return slack_error("bad_timestamp");
    auto const* message = ws.find(channel, timestamp);
    if (message == nullptr) return slack_error("message_not_found");
    return slack_ok({{"type", "message"},
                     {"channel", channel},
                     {"message", render_message(ws, *message, ctx.files_base)}});
}

std::string view_hash(bot::Instant now, int serial) {
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%lld.%08x",
                  static_cast<long long>(bot::to_unix_ms(now) / 1000),
                  static_cast<unsigned>(serial) * 2654435761u);
    return buffer;
}

// The view as Slack echoes it: what the app sent plus the fields Slack owns.
json complete_view(Workspace& ws, json view, std::string const& id, MethodContext const& ctx) {
    ++ws.views_opened;
    view["id"] = id;
    view["team_id"] = kTeamId;
    view["app_id"] = kAppId;
    view["bot_id"] = ws.bot_id;
    view["app_installed_team_id"] = kTeamId;
    view["root_view_id"] = id;
    view["previous_view_id"] = nullptr;
    view["hash"] = view_hash(ctx.now, ws.views_opened);
    view["state"] = {{"values", json::object()}};
    for (auto const* key : {"private_metadata", "callback_id", "external_id"}) {
        if (!view.contains(key)) view[key] = "";
    }
    for (auto const* key : {"clear_on_close", "notify_on_close"}) {
        if (!view.contains(key)) view[key] = false;
    }
    if (!view.contains("blocks")) view["blocks"] = json::array();
    return view;
}

// Checks the `view` argument; on failure `error` holds the answer to send.
json read_view(json const& params, json& error) {
    bool malformed = false;
    auto view = json_param(params, "view", malformed);
    if (malformed || !view.is_object()) {
        error = invalid_arguments("invalid `view`: a JSON object is required");
    } else if (!view.contains("type") || !view["type"].is_string()) {
        error = invalid_arguments("missing required field: type [json-pointer:/view]");
    } else if (view["type"] == "modal" && !view.contains("title")) {
        error = invalid_arguments("missing required field: title [json-pointer:/view]");
    }
    return view;
}

json open_view(Workspace& ws, MethodContext const& ctx) {
    json error;
    auto view = read_view(ctx.params, error);
    if (!error.is_null()) return error;
    auto const trigger_id = str_param(ctx.params, "trigger_id");
    auto const trigger = ws.triggers.find(trigger_id);
    if (trigger == ws.triggers.end() || trigger->second.used) {
        return slack_error("invalid_trigger_id");
    }
    if (ctx.now - trigger->second.issued_at > kTriggerLifetime) {
        return slack_error("expired_trigger_id");
    }
    trigger->second.used = true;

    char id[16];
    std::snprintf(id, sizeof id, "V%010d", ws.views_opened + 1);
    auto complete = complete_view(ws, std::move(view), id, ctx);
    ws.views.push_back({id, trigger_id, complete, {}, ctx.now});
    return slack_ok({{"view", std::move(complete)}});
}

json update_view(Workspace& ws, MethodContext const& ctx) {
    json error;
    auto view = read_view(ctx.params, error);
    if (!error.is_null()) return error;
    auto const view_id = str_param(ctx.params, "view_id");
    auto const external_id = str_param(ctx.params, "external_id");
    auto const found = std::find_if(ws.views.begin(), ws.views.end(), [&](SlackView const& v) {
        if (!view_id.empty()) return v.id == view_id;
        return !external_id.empty() && v.view.value("external_id", "") == external_id;
    });
    if (found == ws.views.end()) return slack_error("not_found");
    auto const hash = str_param(ctx.params, "hash");
    if (!hash.empty() && hash != found->view.value("hash", "")) {
        return slack_error("hash_conflict");
    }

    auto complete = complete_view(ws, std::move(view), found->id, ctx);
    complete["root_view_id"] = found->view["root_view_id"];
    found->history.push_back(std::move(found->view));
    found->view = complete;
    return slack_ok({{"view", std::move(complete)}});
}

}  // namespace

void add_interaction_methods(MethodTable& table) {
    table["reactions.add"] = {add_reaction, {"channel", "timestamp", "name"}};
    table["reactions.get"] = {get_reactions, {}};
    table["views.open"] = {open_view, {"trigger_id", "view"}};
    table["views.update"] = {update_view, {"view"}};
}

}  // namespace tb::fakes::slack_detail
