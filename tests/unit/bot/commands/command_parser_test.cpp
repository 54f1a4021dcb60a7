#include "bot/commands/command.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

using tb::bot::Command;
using tb::bot::CommandError;
using tb::bot::ListScope;
using tb::bot::parse_command;
using tb::bot::Priority;
using tb::bot::TicketId;
using tb::bot::Verb;

namespace {

Command cmd(Verb verb, std::optional<TicketId> ticket = std::nullopt, std::string text = {}) {
    Command c;
    c.verb = verb;
    c.ticket = ticket;
    c.text = std::move(text);
    return c;
}

Command assign(TicketId ticket, std::string who) {
    auto c = cmd(Verb::assign, ticket);
    c.assignee = std::move(who);
    return c;
}

Command priority(TicketId ticket, Priority p) {
    auto c = cmd(Verb::priority, ticket);
    c.priority = p;
    return c;
}

Command list(ListScope scope, std::string group = {}) {
    auto c = cmd(Verb::list, std::nullopt, std::move(group));
    c.scope = scope;
    return c;
}

struct Good {
    std::string_view input;
    Command expected;
};

struct Bad {
    std::string_view input;
    std::string message;
    Verb verb;  // whose usage comes with the error
};

std::string describe(std::variant<Command, CommandError> const& result) {
    if (auto const* e = std::get_if<CommandError>(&result)) return "error: " + e->message;
    auto const& c = std::get<Command>(result);
    return std::string{to_string(c.verb)} + " ticket=" + (c.ticket ? std::to_string(*c.ticket) : "-") +
           " text=[" + c.text + "] assignee=[" + c.assignee + "]";
}

void check_good(std::vector<Good> const& rows) {
    for (auto const& row : rows) {
        CAPTURE(row.input);
        auto const result = parse_command(row.input);
        INFO(describe(result));
        REQUIRE(std::holds_alternative<Command>(result));
        CHECK(std::get<Command>(result) == row.expected);
    }
}

void check_bad(std::vector<Bad> const& rows) {
    for (auto const& row : rows) {
        CAPTURE(row.input);
        auto const result = parse_command(row.input);
        INFO(describe(result));
        REQUIRE(std::holds_alternative<CommandError>(result));
        auto const& e = std::get<CommandError>(result);
        CHECK(e.message == row.message);
        CHECK(e.usage == tb::bot::usage(row.verb));
    }
}

}  // namespace

TEST_CASE("command parser: empty text and help show help") {
    check_good({
        {"", cmd(Verb::help)},
        {"   \n\t ", cmd(Verb::help)},
        {"help", cmd(Verb::help)},
        {"  HeLp \n", cmd(Verb::help)},
    });
    check_bad({
        {"help take", "`help` takes nothing after it, not `take`.", Verb::help},
    });
}

TEST_CASE("command parser: every ticket command with a plain number") {
    check_good({
        {"status 123", cmd(Verb::status, 123)},
        {"take 123", cmd(Verb::take, 123)},
        {"assign 123 <@U123ABC>", assign(123, "U123ABC")},
        {"priority 123 urgent", priority(123, Priority::urgent)},
        {"group 123 Content support", cmd(Verb::group, 123, "Content support")},
        {"subject 123 Login fails on Android", cmd(Verb::subject, 123, "Login fails on Android")},
        {"note 123 looked at the logs", cmd(Verb::note, 123, "looked at the logs")},
        {"reply 123 Thanks, fixed now", cmd(Verb::reply, 123, "Thanks, fixed now")},
        {"pending 123", cmd(Verb::pending, 123)},
        {"pending 123 waiting for logs", cmd(Verb::pending, 123, "waiting for logs")},
        {"hold 123", cmd(Verb::hold, 123)},
        {"hold 123 vendor is on it", cmd(Verb::hold, 123, "vendor is on it")},
        {"solve 123", cmd(Verb::solve, 123)},
        {"solve 123 fixed in PR", cmd(Verb::solve, 123, "fixed in PR")},
        {"reopen 123", cmd(Verb::reopen, 123)},
    });
}

TEST_CASE("command parser: verbs ignore case and tokens take any whitespace") {
    check_good({
        {"TAKE 7", cmd(Verb::take, 7)},
        {"Solve\t7", cmd(Verb::solve, 7)},
        {"\n  status \n\n 7  \n", cmd(Verb::status, 7)},
        {"PRIORITY 7 High", priority(7, Priority::high)},
        {"priority\n7\nlow", priority(7, Priority::low)},
        {"reopen\xC2\xA0" "7", cmd(Verb::reopen, 7)},  // a pasted no-break space
    });
}

TEST_CASE("command parser: every priority level") {
    check_good({
        {"priority 1 low", priority(1, Priority::low)},
        {"priority 1 normal", priority(1, Priority::normal)},
        {"priority 1 high", priority(1, Priority::high)},
        {"priority 1 URGENT", priority(1, Priority::urgent)},
    });
}

TEST_CASE("command parser: ticket numbers as number, hash and Zendesk link") {
    check_good({
        {"take 123", cmd(Verb::take, 123)},
        {"take #123", cmd(Verb::take, 123)},
        {"take 007", cmd(Verb::take, 7)},
        {"take 999999999999999999", cmd(Verb::take, 999'999'999'999'999'999)},
        {"take https://acme.zendesk.com/agent/tickets/123", cmd(Verb::take, 123)},
        {"take https://acme.zendesk.com/agent/tickets/123/", cmd(Verb::take, 123)},
        {"take https://acme.zendesk.com/agent/tickets/123/events", cmd(Verb::take, 123)},
        {"take HTTPS://acme.zendesk.com/agent/tickets/123", cmd(Verb::take, 123)},
        {"take http://acme.zendesk.com/tickets/123", cmd(Verb::take, 123)},
        {"take https://acme.zendesk.com/api/v2/tickets/123.json", cmd(Verb::take, 123)},
        {"take https://acme.zendesk.com/api/v2/tickets/123", cmd(Verb::take, 123)},
        {"take https://acme.zendesk.com/agent/tickets/123?ref=slack#comment-5", cmd(Verb::take, 123)},
        {"take https://acme.zendesk.com/agent/tickets/123#top", cmd(Verb::take, 123)},
        {"take acme.zendesk.com/agent/tickets/123", cmd(Verb::take, 123)},
        {"take <https://acme.zendesk.com/agent/tickets/123>", cmd(Verb::take, 123)},
        {"take <https://acme.zendesk.com/agent/tickets/123|Ticket #123>", cmd(Verb::take, 123)},
        {"take <https://acme.zendesk.com/agent/tickets/123?a=1&amp;b=2|#123>", cmd(Verb::take, 123)},
        {"solve <https://acme.zendesk.com/agent/tickets/9|ticket 9> done", cmd(Verb::solve, 9, "done")},
        {"sla https://acme.zendesk.com/agent/tickets/55", cmd(Verb::sla, 55)},
    });
}

TEST_CASE("command parser: bad ticket numbers say what was wrong") {
    check_bad({
        {"take abc", "`abc` is not a ticket number.", Verb::take},
        {"take #", "`#` is not a ticket number.", Verb::take},
        {"take #abc", "`#abc` is not a ticket number.", Verb::take},
        {"take 0", "`0` is not a ticket number.", Verb::take},
        {"take #0", "`#0` is not a ticket number.", Verb::take},
        {"take -5", "`-5` is not a ticket number.", Verb::take},
        {"take 12a", "`12a` is not a ticket number.", Verb::take},
        {"take 1.5", "`1.5` is not a ticket number.", Verb::take},
        {"take 1234567890123456789", "`1234567890123456789` is too long for a ticket number.", Verb::take},
        {"status 99999999999999999999999", "`99999999999999999999999` is too long for a ticket number.",
         Verb::status},
        {"take https://github.com/acme/app/pull/1", "`https://github.com/acme/app/pull/1` is not a Zendesk ticket link.",
         Verb::take},
        {"take <https://acme.zendesk.com/agent/users/5>", "`<https://acme.zendesk.com/agent/users/5>` is not a Zendesk ticket link.",
         Verb::take},
        {"take https://acme.zendesk.com/agent/tickets/", "`https://acme.zendesk.com/agent/tickets/` is not a Zendesk ticket link.",
         Verb::take},
        {"take https://acme.zendesk.com/agent/tickets/0", "`https://acme.zendesk.com/agent/tickets/0` is not a Zendesk ticket link.",
         Verb::take},
        {"take /tickets/5", "`/tickets/5` is not a Zendesk ticket link.", Verb::take},
        {"take a`b", "`a'b` is not a ticket number.", Verb::take},
        {"sla abc", "`abc` is not a ticket number.", Verb::sla},
    });
}

TEST_CASE("command parser: a long bad word is cut short in the message") {
    auto const result = parse_command("take " + std::string(100, 'x'));
    REQUIRE(std::holds_alternative<CommandError>(result));
    CHECK(std::get<CommandError>(result).message == "`" + std::string(40, 'x') + "…` is not a ticket number.");
}

TEST_CASE("command parser: a missing ticket number names the command") {
    check_bad({
        {"status", "`status` needs a ticket number, like `/ticket status 123`.", Verb::status},
        {"take", "`take` needs a ticket number, like `/ticket take 123`.", Verb::take},
        {"take   \n", "`take` needs a ticket number, like `/ticket take 123`.", Verb::take},
        {"assign", "`assign` needs a ticket number, like `/ticket assign 123 @alex`.", Verb::assign},
        {"priority", "`priority` needs a ticket number, like `/ticket priority 123 high`.", Verb::priority},
        {"group", "`group` needs a ticket number, like `/ticket group 123 Content support`.", Verb::group},
        {"subject", "`subject` needs a ticket number, like `/ticket subject 123 Login fails on Android`.",
         Verb::subject},
        {"note", "`note` needs a ticket number, like `/ticket note 123 Fixed in PR 42`.", Verb::note},
        {"reply", "`reply` needs a ticket number, like `/ticket reply 123 Thanks, this is fixed now`.", Verb::reply},
        {"pending", "`pending` needs a ticket number, like `/ticket pending 123`.", Verb::pending},
        {"hold", "`hold` needs a ticket number, like `/ticket hold 123`.", Verb::hold},
        {"solve", "`solve` needs a ticket number, like `/ticket solve 123`.", Verb::solve},
        {"reopen", "`reopen` needs a ticket number, like `/ticket reopen 123`.", Verb::reopen},
    });
}

TEST_CASE("command parser: extra words after commands that take none are errors") {
    check_bad({
        {"take 123 now", "`take` takes only a ticket number, not `now`.", Verb::take},
        {"reopen 5 x", "`reopen` takes only a ticket number, not `x`.", Verb::reopen},
        {"status 1 2", "`status` takes only a ticket number, not `2`.", Verb::status},
        {"assign 1 <@U1> <@U2>", "`assign` takes one person, not `<@U2>`.", Verb::assign},
        {"priority 1 high please", "`priority` takes one level, not `please`.", Verb::priority},
        {"list mine now", "`list mine` takes nothing more, not `now`.", Verb::list},
        {"sla 1 2", "`sla` takes at most a ticket number, not `2`.", Verb::sla},
    });
}

TEST_CASE("command parser: assign takes a Slack mention or me") {
    check_good({
        {"assign 123 <@U123ABC>", assign(123, "U123ABC")},
        {"assign 123 <@U123ABC|alex>", assign(123, "U123ABC")},
        {"assign 123 <@W0ENTERPRISE|alex smith>", assign(123, "W0ENTERPRISE")},
        {"assign #123 me", assign(123, "me")},
        {"assign 123 ME", assign(123, "me")},
        {"assign 123 @me", assign(123, "me")},
        {"assign\n123\n<@U1|a>\n", assign(123, "U1")},
    });
    auto constexpr pick = ": pick the person from Slack's @-mention list so Slack links them.";
    check_bad({
        {"assign 123", "`assign` needs the person to assign, like `/ticket assign 123 @alex`.", Verb::assign},
        {"assign 123 @alex", std::string{"`@alex` is not a Slack mention"} + pick, Verb::assign},
        {"assign 123 alex", std::string{"`alex` is not a Slack mention"} + pick, Verb::assign},
        {"assign 123 <@>", std::string{"`<@>` is not a Slack mention"} + pick, Verb::assign},
        {"assign 123 <@u1-x>", std::string{"`<@u1-x>` is not a Slack mention"} + pick, Verb::assign},
        {"assign 123 <#C1|general>", std::string{"`<#C1|general>` is not a Slack mention"} + pick, Verb::assign},
        {"assign 123 <!subteam^S1|@support>", std::string{"`<!subteam^S1|@support>` is not a Slack mention"} + pick,
         Verb::assign},
    });
}

TEST_CASE("command parser: priority needs a known level") {
    check_bad({
        {"priority 123", "`priority` needs one of low, normal, high, urgent.", Verb::priority},
        {"priority 123 critical", "`priority` needs one of low, normal, high, urgent, not `critical`.", Verb::priority},
    });
}

TEST_CASE("command parser: free text keeps newlines and Slack link markup") {
    check_good({
        {"note 42 Fixed in <https://github.com/x/y/pull/1|PR 1>", cmd(Verb::note, 42, "Fixed in <https://github.com/x/y/pull/1|PR 1>")},
        {"note #42 <https://github.com/x/y/pull/1>", cmd(Verb::note, 42, "<https://github.com/x/y/pull/1>")},
        {"reply 42 Hi,\n\nit works now.\n  Thanks!  \n", cmd(Verb::reply, 42, "Hi,\n\nit works now.\n  Thanks!")},
        {"subject 42   Two  spaces   kept", cmd(Verb::subject, 42, "Two  spaces   kept")},
        {"solve 42 fixed &amp; deployed", cmd(Verb::solve, 42, "fixed &amp; deployed")},
        {"group 42 3rd Line--Cyber Security", cmd(Verb::group, 42, "3rd Line--Cyber Security")},
        {"note 42 take 5", cmd(Verb::note, 42, "take 5")},
    });
}

TEST_CASE("command parser: text commands need their text") {
    check_bad({
        {"group 123", "`group` needs the group's name, like `/ticket group 123 Content support`.", Verb::group},
        {"subject 123", "`subject` needs the new subject, like `/ticket subject 123 Login fails on Android`.", Verb::subject},
        {"note 123  \n ", "`note` needs the text of the note, like `/ticket note 123 Fixed in PR 42`.", Verb::note},
        {"reply #123", "`reply` needs the text of the reply, like `/ticket reply 123 Thanks, this is fixed now`.",
         Verb::reply},
    });
}

TEST_CASE("command parser: list scopes") {
    check_good({
        {"list", list(ListScope::open)},
        {"list mine", list(ListScope::mine)},
        {"LIST Unassigned", list(ListScope::unassigned)},
        {"list breaching", list(ListScope::breaching)},
        {"list group Content support", list(ListScope::group, "Content support")},
        {"list GROUP  2nd Line \n", list(ListScope::group, "2nd Line")},
    });
    check_bad({
        {"list group", "`list group` needs the group's name, like `/ticket list group Content support`.", Verb::list},
        {"list everything", "`list` shows mine, unassigned, breaching or a group, not `everything`.", Verb::list},
    });
}

TEST_CASE("command parser: sla with and without a ticket") {
    check_good({
        {"sla", cmd(Verb::sla)},
        {"sla 123", cmd(Verb::sla, 123)},
        {"SLA #123", cmd(Verb::sla, 123)},
    });
}

TEST_CASE("command parser: an unknown verb shows every command") {
    auto const result = parse_command("frobnicate 123");
    REQUIRE(std::holds_alternative<CommandError>(result));
    CHECK(std::get<CommandError>(result) == CommandError{"Unknown command `frobnicate`.", tb::bot::help_text()});
    auto const number_first = parse_command("123 take");
    REQUIRE(std::holds_alternative<CommandError>(number_first));
    CHECK(std::get<CommandError>(number_first) ==
          CommandError{"Say what to do with that ticket, like `/ticket status 123`.", tb::bot::help_text()});
    auto const weird = parse_command("<@U1> `x`");
    REQUIRE(std::holds_alternative<CommandError>(weird));
    CHECK(std::get<CommandError>(weird).message == "Unknown command `<@U1>`.");
}

TEST_CASE("command parser: odd input never throws") {
    std::vector<std::string> inputs{"<", ">", "<<<", "take <", "take <>", "take <|>", "assign 1 <", "assign 1 <@",
                                    "take #", "take https://", "take http:///tickets/1", std::string(1, '\0'),
                                    "take \xC2", "note 1 \xC2", "\xC2\xA0", "take 1\xC2\xA0\xC2\xA0"};
    for (auto const& input : inputs) {
        CAPTURE(input);
        CHECK_NOTHROW(parse_command(input));
    }
    CHECK(std::get<Command>(parse_command("take 1\xC2\xA0\xC2\xA0")) == cmd(Verb::take, 1));
    CHECK(std::get<Command>(parse_command("\xC2\xA0")) == cmd(Verb::help));
}

TEST_CASE("command parser: which verbs change a ticket") {
    for (auto v : {Verb::take, Verb::assign, Verb::priority, Verb::group, Verb::subject, Verb::note, Verb::reply,
                   Verb::pending, Verb::hold, Verb::solve, Verb::reopen}) {
        CAPTURE(to_string(v));
        CHECK(tb::bot::changes_ticket(v));
    }
    for (auto v : {Verb::help, Verb::status, Verb::list, Verb::sla}) {
        CAPTURE(to_string(v));
        CHECK_FALSE(tb::bot::changes_ticket(v));
    }
}

TEST_CASE("command parser: help lists every command, one line each, without Slack markup characters") {
    auto const help = tb::bot::help_text();
    for (auto v : {Verb::help, Verb::status, Verb::take, Verb::assign, Verb::priority, Verb::group, Verb::subject,
                   Verb::note, Verb::reply, Verb::pending, Verb::hold, Verb::solve, Verb::reopen, Verb::list,
                   Verb::sla}) {
        auto const name = std::string{to_string(v)};
        CAPTURE(name);
        CHECK(help.find("`/ticket " + name) != std::string::npos);
        CHECK(tb::bot::usage(v).starts_with("`/ticket " + name));
        CHECK(tb::bot::usage(v).find_first_of("<>&") == std::string::npos);
        // Each verb's name parses back to it.
        auto const round = parse_command(name);
        if (auto const* c = std::get_if<Command>(&round)) CHECK(c->verb == v);
    }
    CHECK(help.find_first_of("<>&") == std::string::npos);
}
