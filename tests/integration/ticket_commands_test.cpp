// Working tickets from Slack, end to end: `/ticket` commands and the card's buttons through the
// real binary and SQLite file, against fake Slack and Zendesk servers that check every request.
#include <doctest/doctest.h>

#include <thread>

#include "tests/integration/slack_world.hpp"

using namespace tb::testing;
using nlohmann::json;

namespace {

constexpr char const* kRoot = "1700000100.000100";
constexpr char const* kAuthorized = "  authorized: { users: [U0AGENT1], usergroups: [S0SUPPORT] }\n";

// U0AGENT1 (Alex) is an authorised agent; U0AGENT2 (Kim) an agent through the S0SUPPORT group;
// U0AGENT3 (Lee) is in the group without a Zendesk account; U0PARTNER may only read.
struct Desk : SlackWorld {
    std::int64_t alex = 0, kim = 0, content = 0;
    std::int64_t ticket = 0;

    Desk() : SlackWorld(1, "public", kAuthorized) {
        slack.add_user("U0AGENT2", "kim", "Kim Agent", "kim@gov.example");
        slack.add_user("U0AGENT3", "lee", "Lee Helper", "lee@gov.example");
        slack.add_usergroup("S0SUPPORT", {"U0AGENT2", "U0AGENT3"});
        alex = zendesk.add_user("Alex Agent", "alex@gov.example", "agent");
        kim = zendesk.add_user("Kim Agent", "kim@gov.example", "admin");
        content = zendesk.add_group("Content support");
        zendesk.add_group("3rd Line--GDS Privacy");
        zendesk.add_group("3rd Line--Cyber Security");
    }

    // Opens a ticket for a partner's message the usual way, and waits for its card.
    void open_from_thread() {
        slack.add_message("C0PARTNER", kRoot, "U0PARTNER", "Login fails for our users");
        REQUIRE(post_event(reaction("EvOPEN", "C0PARTNER", kRoot)) == 200);
        REQUIRE_MESSAGE(eventually([&] { return cards("C0PARTNER") == 1; }), service->log());
        ticket = zendesk.tickets().front().id;
    }

    std::string id() const { return std::to_string(ticket); }

    std::vector<tb::fakes::Request> updates() const {
        std::vector<tb::fakes::Request> out;
        for (auto const& r : zendesk.requests()) {
            if (r.method() == boost::beast::http::verb::put) out.push_back(r);
        }
        return out;
    }
    json last_update() const {
        auto const all = updates();
        return all.empty() ? json{} : json::parse(all.back().body(), nullptr, false);
    }
    // The answers sent to one command's response_url.
    std::vector<std::string> answers(std::string const& trigger) const {
        std::vector<std::string> out;
        for (auto const& p : slack.response_url_posts()) {
            if (p.path.find(trigger) != std::string::npos) out.push_back(p.body.value("text", ""));
        }
        return out;
    }
    std::string wait_answer(std::string const& trigger) {
        eventually([&] { return !answers(trigger).empty(); }, std::chrono::seconds{20});
        auto const all = answers(trigger);
        return all.empty() ? std::string{} : all.back();
    }
    std::vector<std::string> thread_lines() const {
        std::vector<std::string> out;
        for (auto const& m : slack.messages("C0PARTNER")) {
            if (!m.bot_id.empty() && m.thread_ts == kRoot && m.blocks.is_null()) out.push_back(m.text);
        }
        return out;
    }
    bool card_edited() const {
        for (auto const& m : slack.messages("C0PARTNER")) {
            if (!m.edits.empty() && m.blocks.dump().find("ticket_take") != std::string::npos) return true;
        }
        return false;
    }
    void no_violations() const {
        CHECK(slack.violations() == std::vector<std::string>{});
        CHECK(zendesk.violations() == std::vector<std::string>{});
    }
};

}  // namespace

TEST_CASE("commands: take is acknowledged at once, assigns the agent, tells the thread and updates the card") {
    Desk d;
    d.open_from_thread();
    auto const ack = d.slash("U0AGENT1", "take #" + d.id(), "trig-take");
    CHECK(ack.status == 200);
    auto const body = json::parse(ack.body, nullptr, false);
    CHECK(body.value("response_type", "") == "ephemeral");
    CHECK(body.value("text", "") == "Working on #" + d.id() + "…");
    CHECK(d.wait_answer("trig-take") == "Done: <@U0AGENT1> took #" + d.id() + ".");
    auto const update = d.last_update();
    CHECK(update["ticket"]["assignee_id"] == d.alex);
    CHECK(update["ticket"].size() == 1);
    CHECK(d.zendesk.ticket(d.ticket)->assignee_id == d.alex);
    REQUIRE(SlackWorld::eventually([&] { return d.card_edited(); }));
    CHECK(d.thread_lines() == std::vector<std::string>{"<@U0AGENT1> took #" + d.id()});
    CHECK(d.service->metrics().find("tb_commands_total{verb=\"take\",outcome=\"applied\"} 1") != std::string::npos);
    d.no_violations();
}

TEST_CASE("commands: each command sends exactly the Zendesk update the API describes") {
    Desk d;
    d.open_from_thread();
    struct Case {
        std::string text;
        json expected;  // the request's "ticket" object
    };
    auto const n = d.id();
    std::vector<Case> cases{
        {"assign " + n + " <@U0AGENT2|kim>", {{"assignee_id", d.kim}}},
        {"priority " + n + " high", {{"priority", "high"}}},
        {"group " + n + " content support", {{"group_id", d.content}}},
        {"subject " + n + " Partner login broken", {{"subject", "Partner login broken"}}},
        {"note " + n + " see <https://github.com/acme/app/pull/7|PR 7>",
         {{"comment", {{"body", "see PR 7 (https://github.com/acme/app/pull/7)"}, {"public", false}, {"author_id", d.alex}}}}},
        {"reply " + n + " We are looking into it", {{"comment", {{"body", "We are looking into it"}, {"public", true}, {"author_id", d.alex}}}}},
        {"pending " + n + " Which browser?",
         {{"status", "pending"}, {"comment", {{"body", "Which browser?"}, {"public", true}, {"author_id", d.alex}}}}},
        {"hold " + n, {{"status", "hold"}}},
        {"solve " + n + " fixed in PR 7",
         {{"status", "solved"}, {"comment", {{"body", "fixed in PR 7"}, {"public", true}, {"author_id", d.alex}}}}},
        {"reopen " + n, {{"status", "open"}}},
    };
    int i = 0;
    for (auto const& c : cases) {
        CAPTURE(c.text);
        auto const trigger = "trig-each-" + std::to_string(++i);
        auto const before = d.updates().size();
        CHECK(d.slash("U0AGENT1", c.text, trigger).status == 200);
        CHECK(d.wait_answer(trigger).starts_with("Done:"));
        REQUIRE(d.updates().size() == before + 1);
        auto const sent = d.last_update()["ticket"];
        for (auto const& [key, value] : c.expected.items()) {
            if (key == "comment") {
                for (auto const& [k, v] : value.items()) CHECK(sent["comment"][k] == v);
            } else {
                CHECK(sent[key] == value);
            }
        }
        CHECK(sent.size() == c.expected.size());
    }
    CHECK(d.zendesk.ticket(d.ticket)->status == "open");
    CHECK(SlackWorld::eventually([&] { return d.thread_lines().size() == cases.size(); }));
    d.no_violations();
}

TEST_CASE("commands: unauthorised people and people without an agent account change nothing") {
    Desk d;
    d.open_from_thread();
    d.slash("U0PARTNER", "solve " + d.id() + " done", "trig-partner");
    CHECK(d.wait_answer("trig-partner").find("only the support team") != std::string::npos);
    d.slash("U0AGENT3", "take " + d.id(), "trig-lee");
    CHECK(d.wait_answer("trig-lee").find("lee@gov.example") != std::string::npos);
    d.slash("U0PARTNER", "status " + d.id(), "trig-read");
    CHECK(d.wait_answer("trig-read").find("Login fails for our users") != std::string::npos);
    CHECK(d.updates().empty());
    CHECK(d.thread_lines().empty());
    auto const metrics = d.service->metrics();
    CHECK(metrics.find("tb_command_refusals_total{reason=\"unauthorized\"} 1") != std::string::npos);
    CHECK(metrics.find("tb_command_refusals_total{reason=\"no_agent\"} 1") != std::string::npos);
    CHECK(d.service->log().find("U0PARTNER") != std::string::npos);
    SUBCASE("a member of the authorised user group who is an agent may") {
        d.slash("U0AGENT2", "take " + d.id(), "trig-kim");
        CHECK(d.wait_answer("trig-kim").starts_with("Done:"));
        CHECK(d.zendesk.ticket(d.ticket)->assignee_id == d.kim);
    }
    d.no_violations();
}

TEST_CASE("commands: a redelivered command is applied once, and mistakes are answered with the usage") {
    Desk d;
    d.open_from_thread();
    for (int i = 0; i < 3; ++i) CHECK(d.slash("U0AGENT1", "reply " + d.id() + " on it", "trig-same").status == 200);
    CHECK(d.wait_answer("trig-same").starts_with("Done:"));
    std::this_thread::sleep_for(std::chrono::milliseconds{500});
    CHECK(d.updates().size() == 1);
    CHECK(d.answers("trig-same").size() == 1);

    auto const wrong = json::parse(d.slash("U0AGENT1", "priority " + d.id() + " soonish", "trig-wrong").body, nullptr, false);
    CHECK(wrong.value("text", "").find("/ticket priority") != std::string::npos);
    auto const help = json::parse(d.slash("U0AGENT1", "help", "trig-help").body, nullptr, false);
    CHECK(help.value("text", "").find("/ticket take") != std::string::npos);
    std::this_thread::sleep_for(std::chrono::milliseconds{300});
    CHECK(d.updates().size() == 1);
    CHECK(d.answers("trig-wrong").empty());
    // Both answered in full on arrival: recorded, but no job queued for them.
    auto const db = d.service->db_path();
    CHECK(count_rows(db, "SELECT count(*) FROM deliveries WHERE delivery_id IN ('trigger:trig-wrong', 'trigger:trig-help')") == 2);
    CHECK(count_rows(db, "SELECT count(*) FROM jobs WHERE delivery_id IN ('trigger:trig-wrong', 'trigger:trig-help')") == 0);
    auto const metrics = d.service->metrics();
    CHECK(metrics.find(R"(tb_commands_total{verb="help",outcome="invalid"} 1)") != std::string::npos);
    CHECK(metrics.find(R"(tb_commands_total{verb="help",outcome="answered"} 1)") != std::string::npos);
    d.no_violations();
}

TEST_CASE("commands: Zendesk refusing to solve an unassigned ticket is reported in plain words") {
    Desk d;
    d.open_from_thread();
    d.slash("U0AGENT1", "solve " + d.id() + " done", "trig-solve");
    auto const answer = d.wait_answer("trig-solve");
    CHECK(answer.starts_with("Zendesk did not accept that change to #" + d.id() + ": "));
    CHECK(answer.find("ssignee") != std::string::npos);
    CHECK(d.zendesk.ticket(d.ticket)->status != "solved");
    CHECK(d.thread_lines().empty());
    d.no_violations();
}

TEST_CASE("commands: the card's buttons, selects and solve form change the ticket") {
    Desk d;
    d.open_from_thread();
    std::string card_ts;
    for (auto const& m : d.slack.messages("C0PARTNER")) {
        if (m.blocks.dump().find("ticket_take") != std::string::npos) card_ts = m.ts;
    }
    REQUIRE(!card_ts.empty());
    auto action = [&](json element, std::string const& trigger) {
        return json{{"type", "block_actions"}, {"team", {{"id", kTeam}, {"domain", "fake"}}},
                    {"user", {{"id", "U0AGENT1"}, {"username", "alex"}, {"team_id", kTeam}}},
                    {"api_app_id", "A0001"}, {"trigger_id", d.slack.issue_trigger(trigger)},
                    {"container", {{"type", "message"}, {"message_ts", card_ts}, {"channel_id", "C0PARTNER"}, {"is_ephemeral", false}}},
                    {"channel", {{"id", "C0PARTNER"}, {"name", "partner-0"}}},
                    {"message", {{"type", "message"}, {"ts", card_ts}, {"thread_ts", kRoot}}},
                    {"response_url", d.slack.action_response_url(trigger)},
                    {"actions", json::array({element})}};
    };
    auto const n = d.id();
    CHECK(d.interaction(action({{"type", "button"}, {"action_id", "ticket_take"}, {"block_id", "ticket_actions"},
                                {"value", n}, {"action_ts", "1700000600.000001"}}, "trig-b1")).status == 200);
    REQUIRE(SlackWorld::eventually([&] { return d.zendesk.ticket(d.ticket)->assignee_id == d.alex; }));
    CHECK(d.interaction(action({{"type", "static_select"}, {"action_id", "ticket_priority"}, {"block_id", "ticket_actions"},
                                {"selected_option", {{"text", {{"type", "plain_text"}, {"text", "High"}}}, {"value", n + ":high"}}},
                                {"action_ts", "1700000600.000002"}}, "trig-b2")).status == 200);
    REQUIRE(SlackWorld::eventually([&] { return d.zendesk.ticket(d.ticket)->priority == "high"; }));
    CHECK(d.interaction(action({{"type", "button"}, {"action_id", "ticket_solve"}, {"block_id", "ticket_actions"},
                                {"value", n}, {"action_ts", "1700000600.000003"}}, "trig-b3")).status == 200);
    REQUIRE_MESSAGE(SlackWorld::eventually([&] { return d.slack.views().size() == 1; }), d.service->log());
    auto view = d.slack.views().front().view;
    CHECK(view["callback_id"] == "solve_ticket");
    view["state"] = {{"values", {{"note", {{"note", {{"type", "plain_text_input"}, {"value", "fixed in PR 7"}}}}}}}};
    json submission{{"type", "view_submission"}, {"team", {{"id", kTeam}}}, {"user", {{"id", "U0AGENT1"}}},
                    {"trigger_id", "trig-submit-solve"}, {"view", view}};
    CHECK(d.interaction(submission).status == 200);
    REQUIRE(SlackWorld::eventually([&] { return d.zendesk.ticket(d.ticket)->status == "solved"; }));
    auto const sent = d.last_update()["ticket"];
    CHECK(sent["comment"]["body"] == "fixed in PR 7");
    CHECK(sent["comment"]["author_id"] == d.alex);
    CHECK(SlackWorld::eventually([&] {
        auto const lines = d.thread_lines();
        return !lines.empty() && lines.back() == "#" + n + " solved by <@U0AGENT1>: fixed in PR 7";
    }));
    d.no_violations();
}
