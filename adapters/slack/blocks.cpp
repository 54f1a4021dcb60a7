#include "adapters/slack/blocks.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
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

// Slack takes at most 100 options; the pre-selected name stays among them.
std::vector<std::string> offered_names(std::vector<std::string> const& names,
                                       std::string const& current) {
    std::vector<std::string> out;
    for (auto const& name : names) {
        if (name.empty() || std::find(out.begin(), out.end(), name) != out.end()) continue;
        out.push_back(name);
    }
    auto const chosen = std::find(out.begin(), out.end(), current);
    if (out.size() > kMaxOptions) {
        if (chosen != out.end() &&
            chosen - out.begin() >= static_cast<std::ptrdiff_t>(kMaxOptions)) {
            out[kMaxOptions - 1] = current;
        }
        out.resize(kMaxOptions);
    }
    return out;
}

std::vector<std::string> offered_groups(bot::TicketDraft const& draft) {
    return offered_names(draft.groups, draft.group);
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

// A card select's option value: "<ticket id>:<choice>", since Slack sends only the option.
std::string card_value(std::string const& id, std::string const& choice) {
    return id + ":" + choice;
}

// A choice that would not fit an option value whole cannot be offered: a clipped name would
// name another group, or none.
bool fits_value(std::string const& value) { return clip(value, kMaxOptionValue) == value; }

bool same_text(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

Json card_select(char const* action_id, std::string_view placeholder, Json options, Json chosen) {
    Json out = {{"type", "static_select"},
                {"action_id", action_id},
                {"placeholder", plain_text(placeholder)},
                {"options", std::move(options)}};
    if (!chosen.is_null()) out["initial_option"] = std::move(chosen);
    return out;
}

Json priority_select(bot::TicketCard const& card, std::string const& id) {
    auto options = Json::array();
    Json chosen;
    for (auto const& choice : kPriorities) {
        options.push_back(option(choice.label, card_value(id, choice.value)));
        if (!card.priority.empty() &&
            (same_text(card.priority, choice.value) || same_text(card.priority, choice.label))) {
            chosen = options.back();
        }
    }
    return card_select(kActionPriority, "Priority", std::move(options), std::move(chosen));
}

// Nullopt when the card offers no groups: a static_select needs at least one option.
std::optional<Json> group_select(bot::TicketCard const& card, std::string const& id) {
    if (card.groups.empty()) return std::nullopt;
    std::vector<std::string> names;
    for (auto const& name : card.groups) {
        if (fits_value(card_value(id, name))) names.push_back(name);
    }
    auto const current_fits = !card.group.empty() && fits_value(card_value(id, card.group));
    if (current_fits && std::find(names.begin(), names.end(), card.group) == names.end()) {
        names.push_back(card.group);
    }
    auto const offered = offered_names(names, card.group);
    if (offered.empty()) return std::nullopt;
    auto options = Json::array();
    Json chosen;
    for (auto const& name : offered) {
        options.push_back(option(name, card_value(id, name)));
        if (name == card.group) chosen = options.back();
    }
    return card_select(kActionGroup, "Group", std::move(options), std::move(chosen));
}

// "High · open · Alex Agent · 3d · SLA breaching" under the ticket's link and subject.
Json listing_line(bot::TicketLine const& line) {
    auto const id = "#" + std::to_string(line.ticket_id);
    auto text = "*" + link(line.url, id) + "* " + escape_mrkdwn(clip(line.subject, 200));
    std::vector<std::string> facts;
    if (!line.priority.empty()) facts.push_back(escape_mrkdwn(clip(line.priority, 40)));
    if (!line.status.empty()) facts.push_back(escape_mrkdwn(clip(line.status, 40)));
    facts.push_back(line.assignee.empty() ? std::string{"unassigned"}
                                          : escape_mrkdwn(clip(line.assignee, 100)));
    if (!line.age.empty()) facts.push_back(escape_mrkdwn(clip(line.age, 40)));
    if (!line.sla.empty()) facts.push_back("SLA " + escape_mrkdwn(clip(line.sla, 100)));
    std::string joined;
    for (auto const& fact : facts) joined += (joined.empty() ? "" : " · ") + fact;
    text += "\n" + joined;
    return {{"type", "section"}, {"text", mrkdwn(clip(text, kMaxSectionText))}};
}

}  // namespace

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
    auto elements = Json::array();
    elements.push_back(button(kActionTake, "Take", id));
    elements.push_back(priority_select(card, id));
    if (auto groups = group_select(card, id)) elements.push_back(std::move(*groups));
    elements.push_back(button(kActionPending, "Pending", id));
    elements.push_back(button(kActionSolve, "Solve", id));
    blocks.push_back({{"type", "actions"},
                      {"block_id", kTicketActionsBlock},
                      {"elements", std::move(elements)}});
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

Json solve_form_view(bot::SolveDraft const& draft) {
    Json const metadata = {
        {"ticket", draft.ticket_id}, {"channel", draft.channel}, {"card_ts", draft.card_ts}};
    auto const about = "*#" + std::to_string(draft.ticket_id) + "* " +
                       escape_mrkdwn(clip(draft.subject, kMaxSubjectChars));
    Json note = {
        {"type", "plain_text_input"},
        {"multiline", true},
        {"max_length", kMaxSectionText},
        {"placeholder", plain_text("What was done? Leave empty to solve without a reply.")}};
    auto blocks = Json::array();
    blocks.push_back({{"type", "section"}, {"block_id", "ticket"}, {"text", mrkdwn(about)}});
    blocks.push_back(
        input(kNoteBlock, "Solving note (public reply to the requester)", std::move(note), true));
    return {{"type", "modal"},
            {"callback_id", kSolveFormCallback},
            {"title", plain_text("Solve ticket")},
            {"submit", plain_text("Solve")},
            {"close", plain_text("Cancel")},
            {"private_metadata", metadata.dump()},
            {"blocks", std::move(blocks)}};
}

namespace {

Json pending_line(bot::PendingLine const& line, std::string const& note) {
    auto const id = std::to_string(line.ticket_id);
    auto text = "*" + link(line.url, "#" + id) + "* " + escape_mrkdwn(clip(line.subject, 200)) + "\npending " +
                escape_mrkdwn(line.waited) + " (since " + escape_mrkdwn(line.since) + ") · " +
                (line.assignee.empty() ? std::string{"unassigned"} : escape_mrkdwn(clip(line.assignee, 100)));
    if (!line.solved.empty()) text += "\n" + escape_mrkdwn(line.solved);
    Json section = {{"type", "section"}, {"block_id", "pending_" + id}, {"text", mrkdwn(clip(text, kMaxSectionText))}};
    if (line.solved.empty()) {
        auto solve = button(kActionSolvePending, "Solve with note", id);
        solve["confirm"] = {{"title", plain_text("Solve #" + id + "?")},
                            {"text", mrkdwn(clip("The requester gets this reply:\n>>> " + escape_mrkdwn(note), 300))},
                            {"confirm", plain_text("Solve")},
                            {"deny", plain_text("Cancel")}};
        section["accessory"] = std::move(solve);
    }
    return section;
}

}  // namespace

Json pending_digest_blocks(bot::PendingDigest const& digest) {
    auto blocks = Json::array();
    blocks.push_back({{"type", "header"}, {"text", plain_text(clip(digest.title, kMaxHeaderText))}});
    auto const room = kMaxBlocks - blocks.size() - 1;  // one kept for "and N more"
    auto const shown = std::min(digest.lines.size(), room);
    for (std::size_t i = 0; i < shown; ++i) blocks.push_back(pending_line(digest.lines[i], digest.note));
    auto const more = digest.more + digest.lines.size() - shown;
    if (more > 0) {
        blocks.push_back({{"type", "context"},
                          {"elements", Json::array({mrkdwn("and " + std::to_string(more) + " more")})}});
    }
    return blocks;
}

std::string pending_digest_text(bot::PendingDigest const& digest) { return escape_mrkdwn(digest.title); }

Json listing_blocks(bot::TicketListing const& listing, std::string_view preface) {
    auto blocks = Json::array();
    auto const title = listing.title.empty() ? std::string{"Tickets"} : listing.title;
    blocks.push_back({{"type", "header"}, {"text", plain_text(clip(title, kMaxHeaderText))}});
    if (!preface.empty()) {
        blocks.push_back({{"type", "section"}, {"text", mrkdwn(clip(preface, kMaxSectionText))}});
    }
    // Room for the lines, keeping one block for "and N more" whenever lines are left out.
    auto const room = kMaxBlocks - blocks.size();
    auto shown = listing.lines.size();
    auto more = listing.more;
    if (shown + (more > 0 ? 1 : 0) > room) {
        shown = room - 1;
        more += listing.lines.size() - shown;
    }
    for (std::size_t i = 0; i < shown; ++i) blocks.push_back(listing_line(listing.lines[i]));
    if (listing.lines.empty() && more == 0) {
        blocks.push_back({{"type", "section"}, {"text", mrkdwn("No matching tickets.")}});
    }
    if (more > 0) {
        blocks.push_back(
            {{"type", "context"},
             {"elements", Json::array({mrkdwn("and " + std::to_string(more) + " more")})}});
    }
    return blocks;
}

}  // namespace tb::slack
