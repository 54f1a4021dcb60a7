#include <doctest/doctest.h>

#include <exception>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "bot/commands/ticket_commands.hpp"
#include "tests/fakes/fake_clock.hpp"
#include "tests/fakes/memory_chat.hpp"
#include "tests/fakes/memory_desk.hpp"
#include "tests/fakes/memory_ledger.hpp"

namespace {

using namespace std::chrono_literals;
using tb::bot::ApiError;
using tb::bot::CardAction;
using tb::bot::JobOutcome;

struct Observed final : tb::bot::CommandObserver {
    std::vector<std::string> refusals;
    std::vector<std::string> outcomes;
    void refused(std::string_view reason, std::string_view user, tb::bot::Verb) override {
        refusals.push_back(std::string{reason} + ":" + std::string{user});
    }
    void finished(tb::bot::Verb verb, std::string_view outcome) override {
        outcomes.push_back(std::string{tb::bot::to_string(verb)} + ":" + std::string{outcome});
    }
};

// TicketCommands over in-memory Slack, Zendesk and ledger. U2 (Sam) is an authorised agent,
// U3 (Kim) an agent through the support user group, U1 (Alex) a partner, U4 (Lee) in the
// group but without a Zendesk account.
struct Commands {
    boost::asio::io_context io;
    tb::bot::Settings settings;
    tb::fakes::FakeClock clock;
    tb::fakes::MemoryChat chat;
    tb::fakes::MemoryDesk desk;
    tb::fakes::MemoryLedger ledger;
    Observed observer;
    std::optional<tb::bot::TicketCommands> commands;
    tb::bot::DeskUserId sam = 0, kim = 0, alex = 0;
    tb::bot::GroupId content = 0, privacy = 0, security = 0;
    tb::bot::TicketId ticket = 0;

    Commands() {
        settings.slack.authorized.users = {"U2"};
        settings.slack.authorized.usergroups = {"S0SUPPORT"};
        chat.add_user({"U1", "alex", "Alex Doe", "alex@partner.example", false});
        chat.add_user({"U2", "sam", "Sam Roe", "sam@gov.example", false});
        chat.add_user({"U3", "kim", "Kim Poe", "kim@gov.example", false});
        chat.add_user({"U4", "lee", "Lee Moe", "lee@gov.example", false});
        chat.set_usergroup("S0SUPPORT", {"U3", "U4"});
        sam = desk.add_user("Sam Roe", "sam@gov.example", "agent");
        kim = desk.add_user("Kim Poe", "kim@gov.example", "admin");
        alex = desk.add_user("Alex Doe", "alex@partner.example", "end-user");
        content = desk.add_group("Content support");
        privacy = desk.add_group("3rd Line--GDS Privacy");
        security = desk.add_group("3rd Line--Cyber Security");
        desk.add_group("Product requests");
        ticket = desk.add_ticket("Login fails for partner users");
        commands.emplace(settings, chat, desk, ledger, clock, observer);
    }

    // The ticket was opened by the bridge from a thread in C0PARTNER, with its card.
    void from_thread() {
        tb::bot::ThreadRecord record;
        record.key = {"T1", "C0PARTNER", "1700000000.000100"};
        record.ticket_id = ticket;
        record.card_ts = "1700000000.000200";
        run_coro(ledger.save(record));
    }

    template <typename Awaitable>
    void run_coro(Awaitable a) {
        boost::asio::co_spawn(io, std::move(a), [](std::exception_ptr e, auto&&...) {
            if (e) std::rethrow_exception(e);
        });
        io.restart();
        io.run();
    }

    JobOutcome run(tb::bot::AgentRequest request, std::string delivery = "trigger:1") {
        JobOutcome outcome;
        std::exception_ptr failure;
        auto work = commands->handle(std::move(request), std::move(delivery));
        boost::asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, JobOutcome o) {
            failure = e;
            outcome = std::move(o);
        });
        io.restart();
        io.run();
        if (failure) std::rethrow_exception(failure);
        return outcome;
    }

    JobOutcome command(std::string text, std::string user = "U2", std::string delivery = "trigger:1") {
        return run(tb::bot::TicketCommand{"T1", "C0AGENTS", std::move(user), std::move(text),
                                          "https://hooks.slack.com/commands/T1/1/x", "trig"},
                   std::move(delivery));
    }

    std::string id() const { return std::to_string(ticket); }

    std::vector<std::string> answers() const {
        std::vector<std::string> out;
        for (auto const& p : chat.posted("respond")) out.push_back(p.text);
        return out;
    }
    std::string last_answer() const {
        auto const all = answers();
        return all.empty() ? std::string{} : all.back();
    }
    tb::bot::Ticket current() const {
        for (auto const& t : desk.tickets()) {
            if (t.ticket.id == ticket) return t.ticket;
        }
        return {};
    }
};

}  // namespace

TEST_CASE("ticket commands: take assigns the ticket to the acting agent and tells the thread") {
    Commands c;
    c.from_thread();
    CHECK(c.command("take " + c.id()).kind == JobOutcome::Kind::done);
    REQUIRE(c.desk.updates().size() == 1);
    CHECK(c.desk.updates()[0].change.assignee_id == c.sam);
    CHECK_FALSE(c.desk.updates()[0].comment);
    CHECK(c.current().assignee_id == c.sam);
    CHECK(c.last_answer() == "Done: <@U2> took #" + c.id() + ".");
    auto const lines = c.chat.posted("post");
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].channel == "C0PARTNER");
    CHECK(lines[0].thread_ts == "1700000000.000100");
    CHECK(lines[0].text == "<@U2> took #" + c.id());
    auto const cards = c.chat.posted("update");
    REQUIRE(cards.size() == 1);
    CHECK(cards[0].thread_ts == "1700000000.000200");
    CHECK(cards[0].card.assignee == "Sam Roe");
    CHECK(cards[0].card.groups.size() == 4);
    CHECK(c.observer.outcomes == std::vector<std::string>{"take:applied"});
}

TEST_CASE("ticket commands: a ticket the bridge did not open changes but gets no thread line") {
    Commands c;
    c.command("priority " + c.id() + " high");
    CHECK(c.current().priority == "high");
    CHECK(c.chat.posted("post").empty());
    CHECK(c.chat.posted("update").empty());
    CHECK(c.last_answer() == "Done: <@U2> set #" + c.id() + " to high priority.");
}

TEST_CASE("ticket commands: someone not authorised changes nothing and is refused politely") {
    Commands c;
    c.from_thread();
    c.command("solve " + c.id() + " done", "U1");
    CHECK(c.desk.updates().empty());
    CHECK(c.last_answer().find("only the support team") != std::string::npos);
    CHECK(c.observer.refusals == std::vector<std::string>{"unauthorized:U1"});
    CHECK(c.chat.posted("post").empty());
    SUBCASE("but may read") {
        c.command("status " + c.id(), "U1");
        CHECK(c.last_answer().find("Login fails for partner users") != std::string::npos);
    }
}

TEST_CASE("ticket commands: members of the authorised user group may change tickets, the group is cached") {
    Commands c;
    c.command("take " + c.id(), "U3");
    CHECK(c.current().assignee_id == c.kim);
    CHECK(c.chat.usergroup_calls() == 1);
    c.command("priority " + c.id() + " low", "U3", "trigger:2");
    CHECK(c.chat.usergroup_calls() == 1);
    CHECK(c.current().priority == "low");
    SUBCASE("refreshed after a while, the last known members count while Slack is down") {
        c.clock.advance(6min);
        c.chat.fail_next(tb::bot::api_error(ApiError::Kind::unavailable, "down"));
        c.command("priority " + c.id() + " high", "U3", "trigger:3");
        CHECK(c.current().priority == "high");
        CHECK(c.chat.usergroup_calls() == 1);  // the failed call was not counted by the fake
    }
    SUBCASE("someone who left the group is refused after the refresh") {
        c.chat.set_usergroup("S0SUPPORT", {"U4"});
        c.clock.advance(6min);
        c.command("priority " + c.id() + " urgent", "U3", "trigger:4");
        CHECK(c.current().priority == "low");
        CHECK(c.observer.refusals == std::vector<std::string>{"unauthorized:U3"});
    }
}

TEST_CASE("ticket commands: an authorised person without a Zendesk agent account changes nothing") {
    Commands c;
    c.command("take " + c.id(), "U4");
    CHECK(c.desk.updates().empty());
    CHECK(c.last_answer().find("lee@gov.example") != std::string::npos);
    CHECK(c.observer.refusals == std::vector<std::string>{"no_agent:U4"});
}

TEST_CASE("ticket commands: each change is the Zendesk update the command names") {
    Commands c;
    c.desk.set_assignee(c.ticket, c.sam);
    struct Case {
        std::string text;
        std::function<void(tb::fakes::MemoryDesk::Update const&)> check;
    };
    std::vector<Case> cases{
        {"assign " + c.id() + " <@U3|kim>", [&](auto const& u) { CHECK(u.change.assignee_id == c.kim); }},
        {"assign " + c.id() + " me", [&](auto const& u) { CHECK(u.change.assignee_id == c.sam); }},
        {"priority " + c.id() + " urgent", [&](auto const& u) { CHECK(u.change.priority == tb::bot::Priority::urgent); }},
        {"group " + c.id() + " content SUPPORT", [&](auto const& u) { CHECK(u.change.group_id == c.content); }},
        {"group " + c.id() + " privacy", [&](auto const& u) { CHECK(u.change.group_id == c.privacy); }},
        {"subject " + c.id() + " Partner login broken since Monday",
         [&](auto const& u) { CHECK(u.change.subject == "Partner login broken since Monday"); }},
        {"note " + c.id() + " fix in <https://github.com/acme/app/pull/7|PR 7>",
         [&](auto const& u) {
             REQUIRE(u.comment);
             CHECK_FALSE(u.comment->is_public);
             CHECK(u.comment->author_id == c.sam);
             CHECK(u.comment->body == "fix in PR 7 (https://github.com/acme/app/pull/7)");
         }},
        {"reply " + c.id() + " We are on it <@U1>",
         [&](auto const& u) {
             REQUIRE(u.comment);
             CHECK(u.comment->is_public);
             CHECK(u.comment->body == "We are on it @Alex Doe");
             CHECK_FALSE(u.change.status);
         }},
        {"pending " + c.id() + " which browser?",
         [&](auto const& u) {
             CHECK(u.change.status == "pending");
             REQUIRE(u.comment);
             CHECK(u.comment->is_public);
         }},
        {"hold " + c.id() + " waiting on vendor",
         [&](auto const& u) {
             CHECK(u.change.status == "hold");
             REQUIRE(u.comment);
             CHECK_FALSE(u.comment->is_public);
         }},
        {"hold " + c.id(), [&](auto const& u) { CHECK_FALSE(u.comment); }},
        {"solve " + c.id() + " fixed in PR 7",
         [&](auto const& u) {
             CHECK(u.change.status == "solved");
             REQUIRE(u.comment);
             CHECK(u.comment->is_public);
         }},
        {"reopen " + c.id(), [&](auto const& u) { CHECK(u.change.status == "open"); }},
    };
    int n = 0;
    for (auto const& k : cases) {
        CAPTURE(k.text);
        auto const before = c.desk.updates().size();
        c.command(k.text, "U2", "trigger:" + std::to_string(++n));
        REQUIRE(c.desk.updates().size() == before + 1);
        k.check(c.desk.updates().back());
    }
}

TEST_CASE("ticket commands: group names that match none or several answer with close matches") {
    Commands c;
    c.command("group " + c.id() + " 3rd line");
    CHECK(c.desk.updates().empty());
    CHECK(c.last_answer().find("matches several groups") != std::string::npos);
    CHECK(c.last_answer().find("3rd Line--GDS Privacy") != std::string::npos);
    c.command("group " + c.id() + " Contnet suport", "U2", "trigger:2");
    CHECK(c.desk.updates().empty());
    CHECK(c.last_answer().find("Did you mean “Content support”") != std::string::npos);
}

TEST_CASE("ticket commands: assigning to someone who is not an agent changes nothing") {
    Commands c;
    c.command("assign " + c.id() + " <@U1|alex>");
    CHECK(c.desk.updates().empty());
    CHECK(c.last_answer().find("<@U1> is not a Zendesk agent") != std::string::npos);
}

TEST_CASE("ticket commands: a redelivered command is applied and announced once") {
    Commands c;
    c.from_thread();
    c.command("reply " + c.id() + " on it", "U2", "trigger:same");
    c.command("reply " + c.id() + " on it", "U2", "trigger:same");
    CHECK(c.desk.updates().size() == 1);
    CHECK(c.chat.posted("post").size() == 1);
}

TEST_CASE("ticket commands: a job retried after the change resumes with the thread line") {
    Commands c;
    c.from_thread();
    c.chat.fail_nth(2, tb::bot::api_error(ApiError::Kind::rate_limited, "ratelimited", 2s));  // users.info, respond, then the thread line
    auto const first = c.command("take " + c.id());
    CAPTURE(first.reason);
    bool const retried = first.kind == JobOutcome::Kind::retry;
    c.command("take " + c.id());
    CHECK(c.desk.updates().size() == 1);
    CHECK(c.chat.posted("post").size() == 1);
    CHECK(retried);
}

TEST_CASE("ticket commands: Zendesk refusing a change is told in plain words") {
    Commands c;
    c.command("solve " + c.id() + " done");
    CHECK(c.current().status == "open");
    CHECK(c.last_answer() == "Zendesk did not accept that change to #" + c.id() +
                                 ": Assignee: is required when solving a ticket");
    CHECK(c.observer.outcomes == std::vector<std::string>{"solve:rejected"});
}

TEST_CASE("ticket commands: Zendesk unavailable makes the job retry, not answer") {
    Commands c;
    c.desk.fail_next(tb::bot::api_error(ApiError::Kind::unavailable, "503"), 5);
    auto const outcome = c.command("take " + c.id());
    CHECK(outcome.kind == JobOutcome::Kind::retry);
    CHECK(c.answers().empty());
}

TEST_CASE("ticket commands: mistakes are answered when the command arrives, the job changes nothing") {
    Commands c;
    auto const ack = tb::bot::acknowledge("priority " + c.id() + " soonish");
    CHECK(ack.final);
    CHECK(ack.text.find("soonish") != std::string::npos);
    CHECK(ack.text.find("/ticket priority") != std::string::npos);
    CHECK(tb::bot::acknowledge("take #" + c.id()).text == "Working on #" + c.id() + "…");
    CHECK_FALSE(tb::bot::acknowledge("take #" + c.id()).final);
    CHECK(tb::bot::acknowledge("").final);
    c.command("priority " + c.id() + " soonish");
    CHECK(c.desk.updates().empty());
    CHECK(c.answers().empty());
    CHECK(c.observer.outcomes == std::vector<std::string>{"help:invalid"});
    c.command("status 99999", "U2", "trigger:2");
    CHECK(c.last_answer() == "There is no ticket #99999 in Zendesk.");
}

TEST_CASE("ticket commands: list shows High before Normal before Low, oldest first, a page at a time") {
    Commands c;
    auto const t0 = c.clock.now();
    c.desk.set_status(c.ticket, "solved");
    std::vector<tb::bot::TicketId> ids;
    for (int i = 0; i < 20; ++i) {
        auto const priority = i % 3 == 0 ? "low" : i % 3 == 1 ? "normal" : "high";
        ids.push_back(c.desk.add_ticket("ticket " + std::to_string(i), priority, t0 - std::chrono::hours{100 - i}));
    }
    c.desk.set_assignee(ids[2], c.sam);
    c.command("list");
    auto const replies = c.chat.posted("respond");
    REQUIRE(replies.size() == 1);
    REQUIRE(replies[0].reply->listing);
    auto const& listing = *replies[0].reply->listing;
    REQUIRE(listing.lines.size() == 15);
    CHECK(listing.more == 5);
    CHECK(listing.lines[0].ticket_id == ids[2]);  // oldest high
    CHECK(listing.lines[0].assignee == "Sam Roe");
    CHECK(listing.lines[0].age == "4d");
    CHECK(listing.lines[1].ticket_id == ids[5]);
    CHECK(listing.lines[6].priority == "normal");
    CHECK(listing.lines[6].ticket_id == ids[1]);
    SUBCASE("mine and unassigned") {
        c.command("list mine", "U2", "trigger:2");
        auto const mine = c.chat.posted("respond").back().reply->listing;
        REQUIRE(mine);
        REQUIRE(mine->lines.size() == 1);
        CHECK(mine->lines[0].ticket_id == ids[2]);
        c.command("list unassigned", "U2", "trigger:3");
        auto const unassigned = c.chat.posted("respond").back().reply->listing;
        REQUIRE(unassigned);
        CHECK(unassigned->lines.size() + unassigned->more == 19);
    }
}

TEST_CASE("ticket commands: with more open tickets than one search returns, list still starts with the urgent ones") {
    Commands c;
    auto const t0 = c.clock.now();
    c.desk.set_status(c.ticket, "solved");
    for (int i = 0; i < 130; ++i) {  // a long backlog of old Normal tickets
        c.desk.add_ticket("old " + std::to_string(i), "normal", t0 - std::chrono::hours{1000 - i});
    }
    auto const high = c.desk.add_ticket("login outage", "high", t0 - std::chrono::hours{2});
    auto const urgent = c.desk.add_ticket("data leak", "urgent", t0 - std::chrono::hours{1});
    c.command("list");
    auto const replies = c.chat.posted("respond");
    REQUIRE(replies.size() == 1);
    REQUIRE(replies[0].reply->listing);
    auto const& listing = *replies[0].reply->listing;
    REQUIRE(listing.lines.size() == 15);
    CHECK(listing.lines[0].ticket_id == urgent);
    CHECK(listing.lines[1].ticket_id == high);
    CHECK(listing.lines[2].subject == "old 0");  // then the oldest Normal
    CHECK(listing.more == 132 - 15);
}

TEST_CASE("ticket commands: card buttons and selects do what the commands do") {
    Commands c;
    c.from_thread();
    CardAction action;
    action.team = "T1";
    action.channel = "C0PARTNER";
    action.card_ts = "1700000000.000200";
    action.user = "U2";
    action.ticket_id = c.ticket;
    action.response_url = "https://hooks.slack.com/actions/T1/1/x";
    action.trigger_id = "trig";
    action.kind = CardAction::Kind::priority;
    action.choice = "high";
    c.run(action, "trigger:a1");
    CHECK(c.current().priority == "high");
    action.kind = CardAction::Kind::group;
    action.choice = "Content support";
    c.run(action, "trigger:a2");
    CHECK(c.current().group_id == c.content);
    action.kind = CardAction::Kind::take;
    c.run(action, "trigger:a3");
    CHECK(c.current().assignee_id == c.sam);
    action.kind = CardAction::Kind::pending;
    c.run(action, "trigger:a4");
    CHECK(c.current().status == "pending");
    action.kind = CardAction::Kind::solve;
    c.run(action, "trigger:a5");
    auto const forms = c.chat.posted("solve_form");
    REQUIRE(forms.size() == 1);
    CHECK(forms[0].solve.ticket_id == c.ticket);
    CHECK(forms[0].solve.card_ts == "1700000000.000200");
    CHECK(c.current().status == "pending");  // the form only opens
    c.run(tb::bot::SolveSubmitted{"T1", "U2", c.ticket, "C0PARTNER", "1700000000.000200", "fixed in PR 7"}, "view:1");
    CHECK(c.current().status == "solved");
    CHECK(c.chat.posted("post").back().text == "#" + c.id() + " solved by <@U2>: fixed in PR 7");
    CHECK(c.chat.posted("update").size() == 5);
}

TEST_CASE("ticket commands: the solve form is not offered to someone who may not solve") {
    Commands c;
    CardAction action;
    action.kind = CardAction::Kind::solve;
    action.user = "U1";
    action.ticket_id = c.ticket;
    action.response_url = "https://hooks.slack.com/actions/T1/1/x";
    c.run(action);
    CHECK(c.chat.posted("solve_form").empty());
    CHECK(c.observer.refusals == std::vector<std::string>{"unauthorized:U1"});
}

TEST_CASE("ticket commands: age text") {
    CHECK(tb::bot::age_text(std::chrono::minutes{5}) == "5m");
    CHECK(tb::bot::age_text(std::chrono::hours{5}) == "5h");
    CHECK(tb::bot::age_text(std::chrono::hours{49}) == "2d");
}

TEST_CASE("ticket commands: a failure that retrying cannot fix is told to the person") {
    Commands c;
    c.chat.fail_next(tb::bot::api_error(ApiError::Kind::rejected, "missing_scope"));
    auto const outcome = c.command("take " + c.id());
    CHECK(outcome.kind == JobOutcome::Kind::fail);
    CHECK(c.desk.updates().empty());
    CHECK(c.last_answer() == "Sorry, that did not work and nothing was changed: missing_scope");
}

TEST_CASE("ticket commands: a configured user group Slack does not know counts as empty, not as an error") {
    Commands c;
    c.settings.slack.authorized.usergroups = {"S0GONE", "S0SUPPORT"};
    CHECK(c.command("take " + c.id(), "U3").kind == JobOutcome::Kind::done);
    CHECK(c.current().assignee_id == c.kim);
    CHECK(c.command("take " + c.id(), "U1", "trigger:2").kind == JobOutcome::Kind::done);
    CHECK(c.observer.refusals == std::vector<std::string>{"unauthorized:U1"});
}

TEST_CASE("ticket commands: Solve with note on the pending digest solves with the team's note, only while pending") {
    Commands c;
    c.settings.sla.pending_note = "No answer for a week & more, so we are closing this.";
    c.from_thread();
    CardAction action;
    action.kind = CardAction::Kind::solve_pending;
    action.team = "T1";
    action.channel = "C0ALERTS";  // the digest's channel, not the card's
    action.card_ts = "1700000999.000300";
    action.user = "U2";
    action.ticket_id = c.ticket;
    action.response_url = "https://hooks.slack.com/actions/T1/2/x";

    c.desk.set_status(c.ticket, "open");  // the requester answered since the digest
    c.run(action, "trigger:p1");
    CHECK(c.current().status == "open");
    CHECK(c.last_answer() == "#" + c.id() + " is no longer pending (it is open now), so it was not solved.");

    action.user = "U1";  // a partner cannot
    c.desk.set_status(c.ticket, "pending");
    c.run(action, "trigger:p2");
    CHECK(c.current().status == "pending");
    CHECK(c.observer.refusals == std::vector<std::string>{"unauthorized:U1"});

    action.user = "U2";
    c.run(action, "trigger:p3");
    c.run(action, "trigger:p3");  // redelivered: once
    CHECK(c.current().status == "solved");
    CHECK(c.current().assignee_id == c.sam);  // unassigned: the solver takes it, as Zendesk's UI does
    auto const updates = c.desk.updates();
    REQUIRE(updates.size() == 1);
    REQUIRE(updates[0].comment);
    CHECK(updates[0].comment->is_public);
    CHECK(updates[0].comment->author_id == c.sam);
    CHECK(updates[0].comment->body == "No answer for a week & more, so we are closing this.");
    CHECK(c.chat.posted("post").back().text ==
          "#" + c.id() + " solved by <@U2>: No answer for a week &amp; more, so we are closing this.");
    CHECK(c.chat.posted("post").back().channel == "C0PARTNER");
}
