// chat.* methods of FakeSlack.

#include "tests/fakes/fake_slack_params.hpp"
#include "tests/fakes/fake_slack_render.hpp"
#include "tests/fakes/fake_slack_state.hpp"

namespace tb::fakes::slack_detail {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxTextChars = 40'000;

// The message content shared by chat.postMessage, chat.update and chat.postEphemeral.
struct Content {
    std::string text;
    json blocks;
    bool has_text = false;
    bool has_attachments = false;
    std::string error;
};

Content read_content(json const& params) {
    Content content;
    content.has_text = params.contains("text") && !str_param(params, "text").empty();
    content.text = str_param(params, "text");
    content.has_attachments = !str_param(params, "attachments").empty();
    bool malformed = false;
    content.blocks = json_param(params, "blocks", malformed);
    if (malformed) {
        content.error = "invalid_blocks_format";
    } else if (!content.blocks.is_null() && !content.blocks.is_array()) {
        content.error = "invalid_blocks";
    } else if (content.text.size() > kMaxTextChars) {
        content.error = "msg_too_long";
    }
    return content;
}

bool is_empty(Content const& content) {
    auto const no_blocks = content.blocks.is_null() || content.blocks.empty();
    return !content.has_text && no_blocks && !content.has_attachments;
}

json post_message(Workspace& ws, MethodContext const& ctx) {
    auto const channel = str_param(ctx.params, "channel");
    auto const ch = ws.channels.find(channel);
    if (ch == ws.channels.end()) return slack_error("channel_not_found");
    if (!ch->second.is_member) return slack_error("not_in_channel");
    auto content = read_content(ctx.params);
    if (!content.error.empty()) return slack_error(content.error);
    if (is_empty(content)) return slack_error("no_text");

    SlackMessage message;
    message.channel = channel;
    message.user = ws.bot_user_id;
    message.bot_id = ws.bot_id;
    message.text = std::move(content.text);
    message.blocks = std::move(content.blocks);
    // Slack files a reply to a reply under the thread's root, and posts a reply to a
    // message it cannot find as an ordinary channel message.
    if (auto const* parent = ws.find(channel, str_param(ctx.params, "thread_ts"))) {
        message.thread_ts = parent->is_reply() ? parent->thread_ts : parent->ts;
    }
    message.ts = ws.next_ts(ctx.now);
    auto const key = *parse_ts(message.ts);
    auto const& stored = ws.logs[channel].emplace(key, std::move(message)).first->second;
    return slack_ok({{"channel", channel},
                     {"ts", stored.ts},
                     {"message", render_message(ws, stored, ctx.files_base)}});
}

json update(Workspace& ws, MethodContext const& ctx) {
    auto const channel = str_param(ctx.params, "channel");
    if (!ws.channels.contains(channel)) return slack_error("channel_not_found");
    auto* message = ws.find(channel, str_param(ctx.params, "ts"));
    if (message == nullptr) return slack_error("message_not_found");
    if (message->user != ws.bot_user_id) return slack_error("cant_update_message");
    auto content = read_content(ctx.params);
    if (!content.error.empty()) return slack_error(content.error);
    if (is_empty(content)) return slack_error("no_text");

    message->edits.push_back({message->text, message->blocks});
    // Fields left out keep their old value; an empty blocks array removes the blocks.
    if (ctx.params.contains("text")) message->text = std::move(content.text);
    if (!content.blocks.is_null()) {
        message->blocks = content.blocks.empty() ? json{} : std::move(content.blocks);
    }
    message->edited_ts = ws.next_ts(ctx.now);
    auto rendered = render_message(ws, *message, ctx.files_base);
    return slack_ok({{"channel", channel},
                     {"ts", message->ts},
                     {"text", message->text},
                     {"message", std::move(rendered)}});
}

json post_ephemeral(Workspace& ws, MethodContext const& ctx) {
    auto const channel = str_param(ctx.params, "channel");
    if (!ws.channels.contains(channel)) return slack_error("channel_not_found");
    auto const user = str_param(ctx.params, "user");
    if (!ws.users.contains(user)) return slack_error("user_not_found");
    auto content = read_content(ctx.params);
    if (!content.error.empty()) return slack_error(content.error);
    if (is_empty(content)) return slack_error("no_text");

    SlackEphemeral ephemeral{
        .channel = channel,
        .user = user,
        .text = std::move(content.text),
        .thread_ts = str_param(ctx.params, "thread_ts"),
        .message_ts = ws.next_ts(ctx.now),
        .blocks = std::move(content.blocks),
    };
    ws.ephemerals.push_back(ephemeral);
    return slack_ok({{"message_ts", ephemeral.message_ts}});
}

json get_permalink(Workspace& ws, MethodContext const& ctx) {
    auto const channel = str_param(ctx.params, "channel");
    if (!ws.channels.contains(channel)) return slack_error("channel_not_found");
    auto const* message = ws.find(channel, str_param(ctx.params, "message_ts"));
    if (message == nullptr) return slack_error("message_not_found");
    return slack_ok({{"channel", channel}, {"permalink", permalink(*message)}});
}

}  // namespace

void add_chat_methods(MethodTable& table) {
    table["chat.postMessage"] = {post_message, {"channel"}};
    table["chat.update"] = {update, {"channel", "ts"}};
    table["chat.postEphemeral"] = {post_ephemeral, {"channel", "user"}};
    table["chat.getPermalink"] = {get_permalink, {"channel", "message_ts"}};
}

}  // namespace tb::fakes::slack_detail
