#include "tests/fakes/fake_slack_render.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/pchars.hpp>

namespace tb::fakes::slack_detail {
namespace {

using nlohmann::json;

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string upper(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return text;
}

std::string filetype_of(std::string const& name) {
    auto const dot = name.rfind('.');
    if (dot == std::string::npos || dot + 1 == name.size()) return "text";
    return lower(name.substr(dot + 1));
}

long long seconds_of(std::string_view ts) {
    auto const us = parse_ts(ts);
    return us ? *us / 1'000'000 : 0;
}

json text_meta(std::string const& value) {
    return {{"value", value}, {"creator", ""}, {"last_set", 0}};
}

void add_thread_summary(Workspace const& ws, SlackMessage const& root, json& out) {
    auto const replies = ws.thread(root.channel, root.ts);
    if (replies.size() < 2) return;
    std::set<std::string> users;
    std::vector<std::string> ordered;
    for (auto const* reply : replies) {
        if (reply->is_reply() && users.insert(reply->user).second) ordered.push_back(reply->user);
    }
    out["thread_ts"] = root.ts;
    out["reply_count"] = replies.size() - 1;
    out["reply_users_count"] = ordered.size();
    out["reply_users"] = ordered;
    out["latest_reply"] = replies.back()->ts;
}

}  // namespace

json render_user(SlackUser const& user) {
    json profile = {
        {"real_name", user.real_name},
        {"real_name_normalized", user.real_name},
        {"display_name", user.name},
        {"display_name_normalized", user.name},
        {"first_name", user.real_name.substr(0, user.real_name.find(' '))},
        {"team", kTeamId},
        {"status_text", ""},
        {"status_emoji", ""},
        {"avatar_hash", "g0000000000"},
        {"image_48", "https://fake.slack.com/avatars/" + user.id + "_48.png"},
        {"image_72", "https://fake.slack.com/avatars/" + user.id + "_72.png"},
    };
    if (!user.email.empty()) profile["email"] = user.email;
    if (!user.bot_id.empty()) {
        profile["bot_id"] = user.bot_id;
        profile["api_app_id"] = kAppId;
        profile["always_active"] = true;
    }
    return {
        {"id", user.id},
        {"team_id", kTeamId},
        {"name", user.name},
        {"deleted", false},
        {"color", "9f69e7"},
        {"real_name", user.real_name},
        {"tz", "Europe/London"},
        {"tz_label", "Greenwich Mean Time"},
        {"tz_offset", 0},
        {"profile", profile},
        {"is_admin", false},
        {"is_owner", false},
        {"is_primary_owner", false},
        {"is_restricted", false},
        {"is_ultra_restricted", false},
        {"is_bot", user.is_bot},
        {"is_app_user", false},
        {"updated", 1700000000},
        {"is_email_confirmed", !user.email.empty()},
    };
}

json render_channel(SlackChannel const& channel) {
    return {
        {"id", channel.id},
        {"name", channel.name},
        {"is_channel", !channel.is_private},
        {"is_group", channel.is_private},
        {"is_im", false},
        {"is_mpim", false},
        {"is_private", channel.is_private},
        {"created", 1700000000},
        {"is_archived", false},
        {"is_general", false},
        {"unlinked", 0},
        {"name_normalized", channel.name},
        {"is_shared", false},
        {"is_org_shared", false},
        {"is_ext_shared", false},
        {"is_pending_ext_shared", false},
        {"pending_shared", json::array()},
        {"is_member", channel.is_member},
        {"creator", "U0FAKEADMIN"},
        {"context_team_id", kTeamId},
        {"updated", 1700000000000},
        {"topic", text_meta("")},
        {"purpose", text_meta("")},
        {"previous_names", json::array()},
    };
}

json render_reactions(std::vector<SlackReaction> const& reactions) {
    auto out = json::array();
    for (auto const& reaction : reactions) {
        out.push_back(
            {{"name", reaction.name}, {"users", reaction.users}, {"count", reaction.users.size()}});
    }
    return out;
}

json render_message(Workspace const& ws, SlackMessage const& message, std::string_view files_base) {
    json out = {
        {"type", "message"},    {"ts", message.ts}, {"user", message.user},
        {"text", message.text}, {"team", kTeamId},
    };
    if (!message.bot_id.empty()) {
        out["bot_id"] = message.bot_id;
        out["app_id"] = kAppId;
    }
    if (!message.blocks.is_null()) out["blocks"] = message.blocks;
    if (message.is_reply()) {
        out["thread_ts"] = message.thread_ts;
        if (auto const* root = ws.find(message.channel, message.thread_ts)) {
            out["parent_user_id"] = root->user;
        }
    } else {
        add_thread_summary(ws, message, out);
    }
    if (!message.edited_ts.empty()) {
        out["edited"] = {{"user", message.user}, {"ts", message.edited_ts}};
    }
    if (!message.reactions.empty()) out["reactions"] = render_reactions(message.reactions);
    if (!message.files.empty()) {
        auto files = json::array();
        for (auto const& file : message.files) {
            files.push_back(render_file(file, message, files_base));
        }
        out["files"] = std::move(files);
        out["upload"] = false;
    }
    return out;
}

json render_file(SlackFile const& file, SlackMessage const& owner, std::string_view files_base) {
    auto const type = filetype_of(file.name);
    auto const created = seconds_of(owner.ts);
    std::string const base{files_base};
    return {
        {"id", file.id},
        {"created", created},
        {"timestamp", created},
        {"name", file.name},
        {"title", file.title.empty() ? file.name : file.title},
        {"mimetype", file.mimetype},
        {"filetype", type},
        {"pretty_type", upper(type)},
        {"user", owner.user},
        {"user_team", kTeamId},
        {"editable", false},
        {"size", file.content.size()},
        {"mode", "hosted"},
        {"is_external", false},
        {"external_type", ""},
        {"is_public", true},
        {"public_url_shared", false},
        {"display_as_bot", false},
        {"username", ""},
        {"url_private", base + file_path(file)},
        {"url_private_download", base + file_download_path(file)},
        {"permalink",
         std::string{kWorkspaceUrl} + "files/" + owner.user + "/" + file.id + "/" + file.name},
        {"channels", {owner.channel}},
        {"groups", json::array()},
        {"ims", json::array()},
        {"comments_count", 0},
        {"has_rich_preview", false},
    };
}

std::string file_path(SlackFile const& file) {
    return "/files-pri/" + std::string{kTeamId} + "-" + file.id + "/" +
           boost::urls::encode(file.name, boost::urls::pchars);
}

std::string file_download_path(SlackFile const& file) {
    return "/files-pri/" + std::string{kTeamId} + "-" + file.id + "/download/" +
           boost::urls::encode(file.name, boost::urls::pchars);
}

std::string permalink(SlackMessage const& message) {
    std::string digits = message.ts;
    digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
    auto link = std::string{kWorkspaceUrl} + "archives/" + message.channel + "/p" + digits;
    if (message.is_reply()) link += "?thread_ts=" + message.thread_ts + "&cid=" + message.channel;
    return link;
}

}  // namespace tb::fakes::slack_detail
