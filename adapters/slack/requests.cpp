#include "adapters/slack/requests.hpp"

#include <nlohmann/json.hpp>

#include "adapters/slack/json_fields.hpp"
#include "bot/commands/command.hpp"

namespace tb::slack {
namespace {

using nlohmann::json;

std::vector<bot::ChatFile> files_of(json const& message) {
    std::vector<bot::ChatFile> files;
    auto const it = message.find("files");
    if (it == message.end() || !it->is_array()) return files;
    for (auto const& f : *it) {
        if (!f.is_object()) continue;
        bot::ChatFile file;
        file.id = text_at(f, "id");
        file.name = text_at(f, "name");
        file.mimetype = text_at(f, "mimetype");
        if (auto const size = f.find("size"); size != f.end() && size->is_number_integer()) {
            file.size = size->get<std::int64_t>();
        }
        file.url_private = text_at(f, "url_private_download");
        if (file.url_private.empty()) file.url_private = text_at(f, "url_private");
        file.permalink = text_at(f, "permalink");
        files.push_back(std::move(file));
    }
    return files;
}

bot::SlackRequest message_event(std::string const& team, json const& event) {
    auto const subtype = text_at(event, "subtype");
    auto const channel = text_at(event, "channel");
    if (subtype == "message_changed") {
        auto const& now = object_at(event, "message");
        auto const& before = object_at(event, "previous_message");
        bot::MessageEdited edit;
        edit.team = team;
        edit.channel = channel;
        edit.ts = text_at(now, "ts").empty() ? text_at(before, "ts") : text_at(now, "ts");
        edit.thread_ts = text_at(now, "thread_ts").empty() ? text_at(before, "thread_ts") : text_at(now, "thread_ts");
        edit.user = text_at(now, "user");
        edit.text = text_at(now, "text");
        if (edit.ts.empty()) return bot::Ignored{"edit without ts"};
        return edit;
    }
    if (subtype == "message_deleted") {
        auto const& before = object_at(event, "previous_message");
        bot::MessageDeleted deletion;
        deletion.team = team;
        deletion.channel = channel;
        deletion.ts = text_at(event, "deleted_ts").empty() ? text_at(before, "ts") : text_at(event, "deleted_ts");
        deletion.thread_ts = text_at(before, "thread_ts");
        if (deletion.ts.empty()) return bot::Ignored{"deletion without ts"};
        return deletion;
    }
    if (!subtype.empty() && subtype != "file_share" && subtype != "thread_broadcast" && subtype != "bot_message") {
        return bot::Ignored{"message subtype " + subtype};
    }
    bot::ThreadReply reply;
    reply.team = team;
    auto& m = reply.message;
    m.channel = channel;
    m.ts = text_at(event, "ts");
    m.thread_ts = text_at(event, "thread_ts");
    m.user = text_at(event, "user");
    m.bot_id = text_at(event, "bot_id");
    m.subtype = subtype;
    m.text = text_at(event, "text");
    m.files = files_of(event);
    if (m.thread_ts.empty() || m.thread_ts == m.ts) return bot::Ignored{"message outside a thread"};
    if (subtype == "bot_message" && m.bot_id.empty()) m.bot_id = "bot_message";
    return reply;
}

bot::SlackRequest event_callback(json const& body) {
    auto const& event = object_at(body, "event");
    auto const type = text_at(event, "type");
    auto team = text_at(body, "team_id");
    if (type == "reaction_added") {
        auto const& item = object_at(event, "item");
        if (text_at(item, "type") != "message") return bot::Ignored{"reaction on a non-message"};
        return bot::ReactionAdded{team, text_at(item, "channel"), text_at(item, "ts"), text_at(event, "user"),
                                  text_at(event, "reaction")};
    }
    if (type == "message") return message_event(team, event);
    return bot::Ignored{"event " + (type.empty() ? std::string{"without type"} : type)};
}

bot::SlackRequest interaction(json const& payload) {
    auto const type = text_at(payload, "type");
    if (type == "message_action") {
        if (text_at(payload, "callback_id") != kCreateTicketCallback) return bot::Ignored{"other shortcut"};
        auto const& message = object_at(payload, "message");
        bot::ShortcutUsed used;
        used.team = text_at(object_at(payload, "team"), "id");
        used.channel = text_at(object_at(payload, "channel"), "id");
        used.message_ts = text_at(payload, "message_ts");
        if (used.message_ts.empty()) used.message_ts = text_at(message, "ts");
        used.thread_ts = text_at(message, "thread_ts");
        used.message_text = text_at(message, "text");
        used.user = text_at(object_at(payload, "user"), "id");
        used.trigger_id = text_at(payload, "trigger_id");
        return used;
    }
    if (type == "view_submission") {
        if (auto form = read_ticket_form(payload)) return std::move(*form);
        return bot::Ignored{"other view"};
    }
    return bot::Ignored{"interaction " + type};
}

}  // namespace

std::optional<bot::TicketForm> read_ticket_form(json const& payload) {
    auto const& view = object_at(payload, "view");
    if (text_at(view, "callback_id") != kCreateTicketCallback) return std::nullopt;
    auto const meta = json::parse(text_at(view, "private_metadata"), nullptr, false);
    auto const& values = object_at(object_at(view, "state"), "values");
    auto field = [&](char const* block) -> json const& { return object_at(object_at(values, block), block); };
    bot::TicketForm form;
    form.team = text_at(meta, "team");
    if (form.team.empty()) form.team = text_at(object_at(payload, "team"), "id");
    form.channel = text_at(meta, "channel");
    form.message_ts = text_at(meta, "message_ts");
    form.user = text_at(object_at(payload, "user"), "id");
    form.subject = text_at(field("subject"), "value");
    form.priority = text_at(object_at(field("priority"), "selected_option"), "value");
    form.group = text_at(object_at(field("group"), "selected_option"), "value");
    return form;
}

std::string ephemeral_response(std::string const& text) {
    // A mistake is answered with the help text after it: its JSON encoding (1 KB of escaping,
    // 8% of a command's CPU when it was redone for every mistaken command) is made once. The
    // two encodings join as the texts do, since JSON escapes each character on its own.
    static std::string const help = bot::help_text();
    static std::string const help_json = json(help).dump();
    if (!text.ends_with(help)) {
        return json{{"response_type", "ephemeral"}, {"text", text}}.dump();
    }
    std::string out = R"({"response_type":"ephemeral","text":)";
    out += json(text.substr(0, text.size() - help.size())).dump();
    out.pop_back();  // its closing quote; the help's opening one goes too
    out.append(help_json, 1);
    out += '}';
    return out;
}

std::string form_errors_response(std::vector<bot::FormProblem> const& problems) {
    json errors = json::object();
    for (auto const& p : problems) errors[p.field] = p.message;
    return json{{"response_action", "errors"}, {"errors", errors}}.dump();
}

bot::SlackRequest parse_slack_request(bot::Source source, std::string_view payload) {
    auto const body = json::parse(payload, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return bot::Ignored{"unreadable payload"};
    switch (source) {
        case bot::Source::slack_event: return event_callback(body);
        case bot::Source::slack_interaction: return interaction(body);
        case bot::Source::slack_command: return bot::Ignored{"slash commands are not handled yet"};
        case bot::Source::zendesk_webhook:
        case bot::Source::scheduled: return bot::Ignored{"not a Slack delivery"};
    }
    return bot::Ignored{"unknown source"};
}

}  // namespace tb::slack
