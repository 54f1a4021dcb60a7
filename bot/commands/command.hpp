#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "bot/config/settings.hpp"
#include "bot/ports/ticket_desk.hpp"

namespace tb::bot {

// The `/ticket` verbs (DESIGN.md, "External interface").
enum class Verb { help, status, take, assign, priority, group, subject, note, reply, pending, hold, solve, reopen, list, sla };

// What `list` shows.
enum class ListScope { open, mine, unassigned, breaching, group };

// A well-formed `/ticket` command. Which fields are set depends on the verb.
struct Command {
    Verb verb = Verb::help;
    std::optional<TicketId> ticket;  // every verb but help and list; optional for sla
    std::string text;                // subject, note, reply, pending/hold/solve note, group name
    std::string assignee;            // assign: a Slack user id (from <@U123|name>), or "me"
    Priority priority = Priority::normal;  // priority
    ListScope scope = ListScope::open;     // list (group name in `text`)
    friend bool operator==(Command const&, Command const&) = default;
};

// What was wrong with a command, and how that command is used.
struct CommandError {
    std::string message;  // "`priority` needs one of low, normal, high, urgent."
    std::string usage;    // "`/ticket priority 123 low|normal|high|urgent`" (all commands when the verb is unknown)
    friend bool operator==(CommandError const&, CommandError const&) = default;
};

// Parses the text after `/ticket` as Slack sends it (escaped or not: `<@U1|alex>`,
// `<https://acme.zendesk.com/agent/tickets/123>`). Ticket numbers may be `123`, `#123` or a
// pasted Zendesk ticket URL. Never throws.
std::variant<Command, CommandError> parse_command(std::string_view text);

// Whether the verb changes a ticket (only authorised users may use those).
bool changes_ticket(Verb verb);
std::string_view to_string(Verb verb);
// "`/ticket take 123`" and the like, one line per form of the verb.
std::string usage(Verb verb);
// Every command with a one-line explanation, for `help` and unknown verbs.
std::string help_text();

}  // namespace tb::bot

namespace tb::bot {

// What a slash command is answered with at once, before its work runs: the mistake and the
// usage, the help, or "Working on #123…". True in `final` when nothing more will follow:
// `outcome` then says which ("invalid" or "answered", as the commands' metric counts them).
struct Acknowledgement {
    std::string text;
    bool final = false;
    std::string_view outcome{};
};
Acknowledgement acknowledge(std::string_view text);

}  // namespace tb::bot
