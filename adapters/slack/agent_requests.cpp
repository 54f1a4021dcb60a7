#include "adapters/slack/agent_requests.hpp"

#include <charconv>
#include <cstdint>
#include <exception>
#include <string>

#include <nlohmann/json.hpp>

#include "adapters/slack/blocks.hpp"
#include "adapters/slack/form.hpp"
#include "adapters/slack/json_fields.hpp"

namespace tb::slack {
namespace {

using nlohmann::json;
using Kind = bot::CardAction::Kind;

// A positive ticket id written in decimal digits only; 0 otherwise.
bot::TicketId ticket_id_of(std::string_view text) {
    bot::TicketId id = 0;
    if (text.empty() || text.front() == '-' || text.front() == '+') return 0;
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    return ec == std::errc{} && end == text.data() + text.size() && id > 0 ? id : 0;
}

std::optional<Kind> card_action_kind(std::string_view action_id) {
    if (action_id == kActionTake) return Kind::take;
    if (action_id == kActionPriority) return Kind::priority;
    if (action_id == kActionGroup) return Kind::group;
    if (action_id == kActionPending) return Kind::pending;
    if (action_id == kActionSolve) return Kind::solve;
    if (action_id == kActionSolvePending) return Kind::solve_pending;
    return std::nullopt;
}

std::optional<bot::AgentRequest> command(std::string_view payload) {
    auto const form = parse_form(payload);
    if (!form || !form->contains("command")) return std::nullopt;
    auto field = [&](char const* key) {
        auto const it = form->find(key);
        return it == form->end() ? std::string{} : it->second;
    };
    bot::TicketCommand out;
    out.team = field("team_id");
    out.channel = field("channel_id");
    out.user = field("user_id");
    out.text = field("text");
    out.response_url = field("response_url");
    out.trigger_id = field("trigger_id");
    if (out.user.empty()) return std::nullopt;
    return out;
}

// A button's value is the ticket id; a select's option value is "<ticket id>:<choice>".
std::optional<bot::AgentRequest> card_action(json const& payload) {
    auto const actions = payload.find("actions");
    if (actions == payload.end() || !actions->is_array() || actions->empty()) return std::nullopt;
    auto const& action = actions->front();
    auto const kind = card_action_kind(text_at(action, "action_id"));
    if (!kind) return std::nullopt;

    bot::CardAction out;
    out.kind = *kind;
    auto const& selected = object_at(action, "selected_option");
    if (selected.contains("value")) {
        auto const value = text_at(selected, "value");
        auto const colon = value.find(':');
        if (colon == std::string::npos) return std::nullopt;
        out.ticket_id = ticket_id_of(std::string_view{value}.substr(0, colon));
        out.choice = value.substr(colon + 1);
        if (out.choice.empty()) return std::nullopt;
    } else {
        out.ticket_id = ticket_id_of(text_at(action, "value"));
    }
    if (out.ticket_id == 0) return std::nullopt;

    auto const& container = object_at(payload, "container");
    out.team = text_at(object_at(payload, "team"), "id");
    if (out.team.empty()) out.team = text_at(object_at(payload, "user"), "team_id");
    out.channel = text_at(object_at(payload, "channel"), "id");
    if (out.channel.empty()) out.channel = text_at(container, "channel_id");
    out.card_ts = text_at(container, "message_ts");
    if (out.card_ts.empty()) out.card_ts = text_at(object_at(payload, "message"), "ts");
    out.user = text_at(object_at(payload, "user"), "id");
    out.response_url = text_at(payload, "response_url");
    out.trigger_id = text_at(payload, "trigger_id");
    return out;
}

std::optional<bot::AgentRequest> solve_submitted(json const& payload) {
    auto const& view = object_at(payload, "view");
    if (text_at(view, "callback_id") != kSolveFormCallback) return std::nullopt;
    auto const meta = json::parse(text_at(view, "private_metadata"), nullptr, false);
    bot::SolveSubmitted out;
    if (meta.is_object()) {
        auto const ticket = meta.find("ticket");
        if (ticket != meta.end() && ticket->is_number_integer()) {
            out.ticket_id = ticket->get<bot::TicketId>();
        } else if (ticket != meta.end() && ticket->is_string()) {
            out.ticket_id = ticket_id_of(ticket->get<std::string>());
        }
    }
    if (out.ticket_id <= 0) return std::nullopt;
    out.channel = text_at(meta, "channel");
    out.card_ts = text_at(meta, "card_ts");
    out.team = text_at(object_at(payload, "team"), "id");
    if (out.team.empty()) out.team = text_at(object_at(payload, "user"), "team_id");
    out.user = text_at(object_at(payload, "user"), "id");
    auto const& values = object_at(object_at(view, "state"), "values");
    // Typed text is not escaped by Slack in view state; escape it as message text is, so
    // "<!channel>" in a note stays text when it reaches the thread.
    for (char c : text_at(object_at(object_at(values, kNoteBlock), kNoteBlock), "value")) {
        if (c == '&') out.note += "&amp;";
        else if (c == '<') out.note += "&lt;";
        else if (c == '>') out.note += "&gt;";
        else out.note += c;
    }
    return out;
}

std::optional<bot::AgentRequest> interaction(std::string_view payload) {
    auto const body = json::parse(payload, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return std::nullopt;
    auto const type = text_at(body, "type");
    if (type == "block_actions") return card_action(body);
    if (type == "view_submission") return solve_submitted(body);
    return std::nullopt;
}

}  // namespace

std::optional<bot::AgentRequest> parse_agent_request(bot::Source source, std::string_view payload) {
    try {
        switch (source) {
            case bot::Source::slack_command:
                return command(payload);
            case bot::Source::slack_interaction:
                return interaction(payload);
            case bot::Source::slack_event:
            case bot::Source::zendesk_webhook:
            case bot::Source::scheduled:
                return std::nullopt;
        }
    } catch (std::exception const&) {
        // Only allocation can throw here; an unreadable delivery is not a request.
    }
    return std::nullopt;
}

}  // namespace tb::slack
