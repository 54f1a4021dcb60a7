#include <utility>

#include "bot/commands/group_match.hpp"
#include "bot/commands/ticket_commands.hpp"
#include "bot/tickets/markup.hpp"
#include "bot/tickets/triage.hpp"

namespace tb::bot {
namespace {

constexpr std::size_t kMaxSubjectChars = 150;

std::string mention(std::string_view user) { return "<@" + std::string{user} + ">"; }

std::string quoted_list(std::vector<std::string> const& names) {
    std::string out;
    for (auto const& n : names) out += (out.empty() ? "" : ", ") + ("“" + n + "”");
    return out;
}

std::string with_text(std::string line, std::string const& text) {
    return text.empty() ? line : line + ": " + text;
}

}  // namespace

std::string status_line(Command const& c, std::string_view user) {
    auto const who = mention(user);
    auto const ref = "#" + std::to_string(c.ticket.value_or(0));
    switch (c.verb) {
        case Verb::take: return who + " took " + ref;
        case Verb::assign: return who + " assigned " + ref + " to " + (c.assignee == "me" ? who : mention(c.assignee));
        case Verb::priority: return who + " set " + ref + " to " + to_string(c.priority) + " priority";
        case Verb::group: return who + " moved " + ref + " to " + c.text;
        case Verb::subject: return who + " renamed " + ref + " to “" + subject_line(c.text, kMaxSubjectChars) + "”";
        // Internal notes stay in Zendesk: the channel may include the requester.
        case Verb::note: return who + " added an internal note to " + ref;
        case Verb::reply: return with_text(who + " replied on " + ref, c.text);
        case Verb::pending: return with_text(ref + " is pending, waiting for the requester (" + who + ")", c.text);
        case Verb::hold: return who + " put " + ref + " on hold";
        case Verb::solve: return with_text(ref + " solved by " + who, c.text);
        case Verb::reopen: return who + " reopened " + ref;
        case Verb::help:
        case Verb::status:
        case Verb::list:
        case Verb::sla: break;
    }
    return who + " changed " + ref;
}

asio::awaitable<ApiResult<TicketCommands::Planned>> TicketCommands::plan(Command const& command, Agent const& actor) {
    Plan plan;
    auto const me = actor.desk->id;
    auto comment = [&](std::string body, bool is_public) {
        plan.comment = NewComment{std::move(body), is_public, me, {}};
    };
    auto const text = co_await readable(command.text);
    switch (command.verb) {
        case Verb::take: plan.change.assignee_id = me; break;
        case Verb::assign: {
            if (command.assignee == "me") {
                plan.change.assignee_id = me;
                break;
            }
            auto const other = co_await directory_.find(command.assignee);
            if (!other) co_return other.error();
            if (!other->is_agent()) {
                auto const problem = mention(command.assignee) + " is not a Zendesk agent" +
                                     (other->email.empty() ? std::string{} : " (no agent has the e-mail " + other->email + ")") +
                                     ". Nothing was changed.";
                co_return Planned{problem};
            }
            plan.change.assignee_id = other->desk->id;
            break;
        }
        case Verb::priority: plan.change.priority = command.priority; break;
        case Verb::group: {
            auto const groups = co_await desk_.groups();
            if (!groups) co_return groups.error();
            auto const matched = match_group(text, *groups);
            if (auto const* none = std::get_if<NoGroupMatch>(&matched)) {
                auto problem = none->ambiguous ? "“" + command.text + "” matches several groups: " + quoted_list(none->close) + ". Which one?"
                                               : "There is no group called “" + command.text + "”.";
                if (!none->ambiguous && !none->close.empty()) problem += " Did you mean " + quoted_list(none->close) + "?";
                if (!none->ambiguous && none->close.empty()) {
                    std::vector<std::string> all;
                    for (auto const& g : *groups) all.push_back(g.name);
                    problem += " The groups are " + quoted_list(all) + ".";
                }
                co_return Planned{problem};
            }
            plan.change.group_id = std::get<DeskGroup>(matched).id;
            break;
        }
        case Verb::subject: {
            auto subject = subject_line(text, kMaxSubjectChars);
            if (subject.empty()) co_return Planned{std::string{"The new subject is empty. Nothing was changed."}};
            plan.change.subject = std::move(subject);
            break;
        }
        case Verb::note: comment(text, false); break;
        case Verb::reply: comment(text, true); break;
        case Verb::pending:
            plan.change.status = "pending";
            if (!text.empty()) comment(text, true);
            break;
        case Verb::hold:
            plan.change.status = "hold";
            if (!text.empty()) comment(text, false);
            break;
        case Verb::solve:
            plan.change.status = "solved";
            // Zendesk solves only assigned tickets; its own UI assigns the solver, as this does.
            if (command.assignee == "me") plan.change.assignee_id = me;
            if (!text.empty()) comment(text, true);
            break;
        case Verb::reopen: plan.change.status = "open"; break;
        case Verb::help:
        case Verb::status:
        case Verb::list:
        case Verb::sla: co_return Planned{std::string{"That command does not change a ticket."}};
    }
    co_return Planned{std::move(plan)};
}

}  // namespace tb::bot
