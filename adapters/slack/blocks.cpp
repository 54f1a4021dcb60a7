#include "adapters/slack/blocks.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

namespace tb::slack {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kNone = "—";

struct PriorityChoice {
    bot::Priority priority;
    char const* value;
    char const* label;
};

constexpr std::array<PriorityChoice, 4> kPriorities{{
    {bot::Priority::low, "low", "Low"},
    {bot::Priority::normal, "normal", "Normal"},
    {bot::Priority::high, "high", "High"},
    {bot::Priority::urgent, "urgent", "Urgent"},
}};

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

Json plain_text(std::string_view text) {
    return {{"type", "plain_text"}, {"text", std::string{text}}, {"emoji", true}};
}

Json mrkdwn(std::string text) { return {{"type", "mrkdwn"}, {"text", std::move(text)}}; }

Json field(std::string_view label, std::string const& value) {
    auto shown = value.empty() ? std::string{kNone} : escape_mrkdwn(clip(value, 500));
    return mrkdwn("*" + std::string{label} + "*\n" + shown);
}

Json button(char const* action_id, std::string_view label, std::string const& value) {
    Json out = {{"type", "button"},
                {"action_id", action_id},
                {"text", plain_text(label)},
                {"value", value}};
    if (std::string_view{action_id} == kActionSolve) out["style"] = "primary";
    return out;
}

Json option(std::string_view label, std::string_view value) {
    return {{"text", plain_text(clip(label, kMaxOptionText))},
            {"value", clip(value, kMaxOptionValue)}};
}

// Slack's "<url|label>" link; a '|' or '>' in the URL would end it early.
std::string link(std::string const& url, std::string const& label) {
    if (url.empty() || url.find_first_of("|<>") != std::string::npos) return label;
    return "<" + url + "|" + label + ">";
}

Json input(char const* block_id, char const* label, Json element, bool optional) {
    element["action_id"] = block_id;
    return {{"type", "input"},
            {"block_id", block_id},
            {"label", plain_text(label)},
            {"element", std::move(element)},
            {"optional", optional}};
}

Json priority_input(bot::Priority initial) {
    auto options = Json::array();
    Json chosen;
    for (auto const& choice : kPriorities) {
        options.push_back(option(choice.label, choice.value));
        if (choice.priority == initial) chosen = options.back();
    }
    Json select = {{"type", "static_select"},
                   {"placeholder", plain_text("Priority")},
                   {"options", std::move(options)}};
    if (!chosen.is_null()) select["initial_option"] = std::move(chosen);
    return input(kPriorityBlock, "Priority", std::move(select), false);
}

// Slack takes at most 100 options; the pre-selected group stays among them.
std::vector<std::string> offered_groups(bot::TicketDraft const& draft) {
    std::vector<std::string> out;
    for (auto const& name : draft.groups) {
        if (name.empty() || std::find(out.begin(), out.end(), name) != out.end()) continue;
        out.push_back(name);
    }
    auto const chosen = std::find(out.begin(), out.end(), draft.group);
    if (out.size() > kMaxOptions) {
        if (chosen != out.end() &&
            chosen - out.begin() >= static_cast<std::ptrdiff_t>(kMaxOptions)) {
            out[kMaxOptions - 1] = draft.group;
        }
        out.resize(kMaxOptions);
    }
    return out;
}

Json group_input(bot::TicketDraft const& draft, std::vector<std::string> const& groups) {
    auto options = Json::array();
    Json chosen;
    for (auto const& name : groups) {
        options.push_back(option(name, name));
        if (name == draft.group) chosen = options.back();
    }
    Json select = {{"type", "static_select"},
                   {"placeholder", plain_text("Zendesk's default group")},
                   {"options", std::move(options)}};
    if (!chosen.is_null()) select["initial_option"] = std::move(chosen);
    return input(kGroupBlock, "Group", std::move(select), true);
}

}  // namespace

std::string escape_mrkdwn(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char const c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

std::string clip(std::string_view text, std::size_t max_chars) {
    auto const chars = static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return !is_continuation(c); }));
    if (chars <= max_chars) return std::string{text};
    if (max_chars == 0) return {};
    std::size_t kept = 0;
    std::size_t end = 0;
    for (; end < text.size(); ++end) {
        if (!is_continuation(text[end]) && kept++ == max_chars - 1) break;
    }
    return std::string{text.substr(0, end)} + "…";
}

Json card_blocks(bot::TicketCard const& card) {
    auto const id = std::to_string(card.ticket_id);
    auto const title = "*" + link(card.url, "#" + id) + "* " + escape_mrkdwn(card.subject);
    auto blocks = Json::array();
    blocks.push_back({{"type", "section"},
                      {"block_id", "ticket_summary"},
                      {"text", mrkdwn(clip(title, kMaxSectionText))}});
    blocks.push_back(
        {{"type", "section"},
         {"block_id", "ticket_fields"},
         {"fields", Json::array({field("Status", card.status), field("Priority", card.priority),
                                 field("Group", card.group), field("Assignee", card.assignee)})}});
    if (card.follow_up_of) {
        auto const note = "Follow-up of #" + std::to_string(*card.follow_up_of);
        blocks.push_back({{"type", "context"},
                          {"block_id", "ticket_follow_up"},
                          {"elements", Json::array({mrkdwn(note)})}});
    }
    blocks.push_back(
        {{"type", "actions"},
         {"block_id", kTicketActionsBlock},
         {"elements",
          Json::array({button(kActionTake, "Take", id), button(kActionPriority, "Priority", id),
                       button(kActionGroup, "Group", id), button(kActionPending, "Pending", id),
                       button(kActionSolve, "Solve", id)})}});
    return blocks;
}

std::string card_text(bot::TicketCard const& card) {
    auto text = "Ticket #" + std::to_string(card.ticket_id) + ": " + escape_mrkdwn(card.subject);
    if (!card.status.empty()) text += " (" + card.status + ")";
    return text;
}

Json ticket_form_view(bot::TicketDraft const& draft) {
    Json const metadata = {
        {"team", draft.team_id}, {"channel", draft.channel}, {"message_ts", draft.message_ts}};
    Json subject = {{"type", "plain_text_input"},
                    {"max_length", kMaxSubjectChars},
                    {"placeholder", plain_text("What is the request about?")}};
    if (!draft.subject.empty()) subject["initial_value"] = clip(draft.subject, kMaxSubjectChars);

    auto blocks = Json::array();
    blocks.push_back(input(kSubjectBlock, "Subject", std::move(subject), false));
    blocks.push_back(priority_input(draft.priority));
    // A static_select needs at least one option, so no groups means no group block.
    if (auto const groups = offered_groups(draft); !groups.empty()) {
        blocks.push_back(group_input(draft, groups));
    }
    return {{"type", "modal"},
            {"callback_id", kTicketFormCallback},
            {"title", plain_text("Create ticket")},
            {"submit", plain_text("Create")},
            {"close", plain_text("Cancel")},
            {"private_metadata", metadata.dump()},
            {"blocks", std::move(blocks)}};
}

}  // namespace tb::slack
