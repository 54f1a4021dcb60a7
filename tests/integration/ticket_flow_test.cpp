// Tickets from Slack, end to end: the real binary and SQLite file against fake Slack and
// Zendesk servers that check every request against the published API descriptions.
#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <random>
#include <set>
#include <thread>

#include "tests/integration/slack_world.hpp"

using namespace tb::testing;
using nlohmann::json;

namespace {

constexpr char const* kRoot = "1700000100.000100";

void no_violations(SlackWorld const& world) {
    CHECK(world.slack.violations() == std::vector<std::string>{});
    CHECK(world.zendesk.violations() == std::vector<std::string>{});
}

}  // namespace

TEST_CASE("tickets: a reaction opens exactly one ticket, one card and one created reaction") {
    SlackWorld world;
    world.slack.add_message("C0PARTNER", kRoot, "U0PARTNER", "Login fails for our users &amp; admins\nSince 9am");
    auto const event = SlackWorld::reaction("EvONE", "C0PARTNER", kRoot);
    for (int i = 0; i < 3; ++i) CHECK(world.post_event(event) == 200);  // Slack's redeliveries

    REQUIRE_MESSAGE(SlackWorld::eventually([&] { return world.slack.reactions("C0PARTNER", kRoot).size() >= 1; }),
                    world.service->log());
    std::this_thread::sleep_for(std::chrono::milliseconds{300});
    auto const tickets = world.zendesk.tickets();
    REQUIRE(tickets.size() == 1);
    auto const& t = tickets.front();
    CHECK(t.subject == "Login fails for our users & admins");
    REQUIRE(!t.comments.empty());
    CHECK(t.comments.front().is_public);
    CHECK(t.comments.front().body.find("Since 9am") != std::string::npos);
    CHECK(t.comments.front().body.find("Slack thread: http") != std::string::npos);
    CHECK(t.external_id == std::string{"slack:"} + kTeam + ":C0PARTNER:" + kRoot);
    CHECK(t.group_id == world.partner_group);
    CHECK(t.priority == "normal");
    CHECK(std::find(t.tags.begin(), t.tags.end(), "slack") != t.tags.end());
    auto const users = world.zendesk.users();
    auto const requester = std::find_if(users.begin(), users.end(), [&](auto const& u) { return u.id == t.requester_id; });
    REQUIRE(requester != users.end());
    CHECK(requester->email == "pat@partner.example");

    CHECK(world.cards("C0PARTNER") == 1);
    auto const thread = world.slack.thread("C0PARTNER", kRoot);
    REQUIRE(thread.size() == 2);
    CHECK(thread[1].blocks.dump().find("#" + std::to_string(t.id)) != std::string::npos);
    auto const reactions = world.slack.reactions("C0PARTNER", kRoot);
    REQUIRE(reactions.size() == 1);
    CHECK(reactions[0].name == "white_check_mark");
    CHECK(world.zendesk.count_creates() == 1);
    no_violations(world);
}

TEST_CASE("tickets: twenty concurrent reactions on one thread open one ticket and one pointer") {
    SlackWorld world;
    world.slack.add_message("C0PARTNER", kRoot, "U0PARTNER", "Our SAML login is broken");
    world.slack.add_message("C0PARTNER", "1700000200.000100", "U0AGENT1", "Looking", kRoot);
    std::vector<std::thread> senders;
    std::atomic<int> acked{0};
    for (int i = 0; i < 20; ++i) {
        senders.emplace_back([&, i] {
            auto const on = i % 2 == 0 ? kRoot : "1700000200.000100";
            if (world.post_event(SlackWorld::reaction("EvC" + std::to_string(i), "C0PARTNER", on)) == 200) ++acked;
        });
    }
    for (auto& s : senders) s.join();
    CHECK(acked == 20);
    REQUIRE(SlackWorld::eventually([&] {
        return world.cards("C0PARTNER") == 1 &&
               world.slack.thread("C0PARTNER", kRoot).size() == 4;  // root, reply, card, pointer
    }));
    std::this_thread::sleep_for(std::chrono::milliseconds{500});
    CHECK(world.zendesk.tickets().size() == 1);
    CHECK(world.slack.thread("C0PARTNER", kRoot).size() == 4);
    no_violations(world);
}

TEST_CASE("tickets: a reaction on the third reply opens the root's ticket carrying the whole thread") {
    SlackWorld world;
    world.slack.add_message("C0PARTNER", kRoot, "U0PARTNER", "first: login fails");
    world.slack.add_message("C0PARTNER", "1700000200.000100", "U0AGENT1", "second: which app?", kRoot);
    world.slack.add_message("C0PARTNER", "1700000300.000100", "U0PARTNER", "third: the admin app", kRoot);
    CHECK(world.post_event(SlackWorld::reaction("EvR3", "C0PARTNER", "1700000300.000100")) == 200);
    REQUIRE(SlackWorld::eventually([&] { return world.cards("C0PARTNER") == 1; }));
    auto const tickets = world.zendesk.tickets();
    REQUIRE(tickets.size() == 1);
    auto const& body = tickets.front().comments.front().body;
    auto const a = body.find("first: login fails");
    auto const b = body.find("second: which app?");
    auto const c = body.find("third: the admin app");
    CHECK(a < b);
    CHECK(b < c);
    CHECK(c != std::string::npos);
    CHECK(body.find("Alex Agent") != std::string::npos);
    CHECK(tickets.front().external_id == std::string{"slack:"} + kTeam + ":C0PARTNER:" + kRoot);
}

TEST_CASE("tickets: a file on the message is uploaded to Zendesk") {
    SlackWorld world;
    tb::fakes::SlackFile file;
    file.id = "F0LOG";
    file.name = "error.log";
    file.content = "stack trace here";
    file.title = "error.log";
    world.slack.add_message("C0PARTNER", kRoot, "U0PARTNER", "see the log", {}, {file});
    CHECK(world.post_event(SlackWorld::reaction("EvFILE", "C0PARTNER", kRoot)) == 200);
    REQUIRE(SlackWorld::eventually([&] { return world.cards("C0PARTNER") == 1; }));
    auto const t = world.zendesk.tickets().front();
    REQUIRE(t.comments.front().attachments.size() == 1);
    CHECK(t.comments.front().attachments[0].dump().find("error.log") != std::string::npos);
    no_violations(world);
}

TEST_CASE("tickets: replies are copied, bot messages are not, edits are noted, closed tickets get a follow-up") {
    SlackWorld world;
    world.slack.add_message("C0PARTNER", kRoot, "U0PARTNER", "login fails");
    CHECK(world.post_event(SlackWorld::reaction("EvOPEN", "C0PARTNER", kRoot)) == 200);
    REQUIRE(SlackWorld::eventually([&] { return world.cards("C0PARTNER") == 1; }));
    auto const id = world.zendesk.tickets().front().id;

    CHECK(world.post_event(SlackWorld::reply_event("EvREP1", "C0PARTNER", "1700000200.000100", kRoot, "U0AGENT1",
                                                   "We are on it")) == 200);
    auto bot_reply = json{{"type", "message"}, {"subtype", "bot_message"}, {"channel", "C0PARTNER"},
                          {"ts", "1700000250.000100"}, {"thread_ts", kRoot}, {"bot_id", "B0BOT"}, {"text", "card"}};
    CHECK(world.post_event(SlackWorld::message_event("EvBOT", bot_reply)) == 200);
    REQUIRE(SlackWorld::eventually([&] { return world.zendesk.ticket(id)->comments.size() == 2; }));
    auto comments = world.zendesk.ticket(id)->comments;
    CHECK(comments[1].is_public);
    CHECK(comments[1].body.find("Alex Agent replied in Slack") != std::string::npos);
    CHECK(comments[1].body.find("We are on it") != std::string::npos);

    auto edit = json{{"type", "message"}, {"subtype", "message_changed"}, {"channel", "C0PARTNER"},
                     {"message", {{"type", "message"}, {"user", "U0AGENT1"}, {"text", "We fixed it"},
                                  {"ts", "1700000200.000100"}, {"thread_ts", kRoot}}},
                     {"previous_message", {{"type", "message"}, {"user", "U0AGENT1"}, {"text", "We are on it"},
                                           {"ts", "1700000200.000100"}, {"thread_ts", kRoot}}}};
    CHECK(world.post_event(SlackWorld::message_event("EvEDIT", edit)) == 200);
    REQUIRE(SlackWorld::eventually([&] { return world.zendesk.ticket(id)->comments.size() == 3; }));
    comments = world.zendesk.ticket(id)->comments;
    CHECK_FALSE(comments[2].is_public);
    CHECK(comments[2].body.find("Now: We fixed it") != std::string::npos);

    world.zendesk.agent_update(id, json{{"status", "closed"}});
    CHECK(world.post_event(SlackWorld::reply_event("EvREP2", "C0PARTNER", "1700000300.000100", kRoot, "U0PARTNER",
                                                   "It is broken again")) == 200);
    REQUIRE(SlackWorld::eventually([&] { return world.zendesk.tickets().size() == 2; }));
    auto const follow = world.zendesk.tickets().back();
    CHECK(follow.comments.front().body.find("It is broken again") != std::string::npos);
    REQUIRE(SlackWorld::eventually([&] {
        for (auto const& m : world.slack.messages("C0PARTNER")) {
            if (!m.edits.empty() && m.blocks.dump().find("#" + std::to_string(follow.id)) != std::string::npos) return true;
        }
        return false;
    }));
    no_violations(world);
}

TEST_CASE("tickets: the shortcut opens the form, then a valid submission opens the ticket, an invalid one shows errors") {
    SlackWorld world;
    world.slack.add_message("C0PARTNER", kRoot, "U0PARTNER", "Need a new partner client id");
    auto const trigger = world.slack.issue_trigger("trig-shortcut-1");
    json shortcut{{"type", "message_action"}, {"callback_id", "create_ticket"}, {"trigger_id", trigger},
                  {"team", {{"id", kTeam}, {"domain", "fake"}}}, {"user", {{"id", "U0AGENT1"}, {"name", "alex"}}},
                  {"channel", {{"id", "C0PARTNER"}, {"name", "partner-0"}}}, {"message_ts", kRoot},
                  {"message", {{"type", "message"}, {"user", "U0PARTNER"}, {"ts", kRoot},
                               {"text", "Need a new partner client id"}}},
                  {"response_url", world.slack.action_response_url("r1")}, {"action_ts", "1700000500.000100"}};
    auto const form_body = [](json const& payload) { return SlackWorld::form_body({{"payload", payload.dump()}}); };
    auto const answer = world.service->post_slack("/slack/interactivity", form_body(shortcut),
                                                  "application/x-www-form-urlencoded");
    CHECK(answer.status == 200);
    REQUIRE_MESSAGE(SlackWorld::eventually([&] { return world.slack.views().size() == 1; }), world.service->log());
    auto const view = world.slack.views().front();
    CHECK(view.view["callback_id"] == "create_ticket");

    auto submission = [&](std::string const& subject) {
        json values{{"subject", {{"subject", {{"type", "plain_text_input"}, {"value", subject}}}}},
                    {"priority", {{"priority", {{"type", "static_select"},
                                                {"selected_option", {{"value", "high"}}}}}}},
                    {"group", {{"group", {{"type", "static_select"},
                                          {"selected_option", {{"value", "Partnerships Engineering"}}}}}}}};
        auto v = view.view;
        v["state"] = {{"values", values}};
        return json{{"type", "view_submission"}, {"team", {{"id", kTeam}}}, {"user", {{"id", "U0AGENT1"}}},
                    {"trigger_id", "trig-submit-" + subject.substr(0, 3)}, {"view", v}};
    };
    auto const bad = world.service->post_slack("/slack/interactivity", form_body(submission("  ")),
                                               "application/x-www-form-urlencoded");
    CHECK(bad.status == 200);
    auto const errors = json::parse(bad.body, nullptr, false);
    REQUIRE(!errors.is_discarded());
    CHECK(errors["response_action"] == "errors");
    CHECK(errors["errors"].contains("subject"));

    auto const good = world.service->post_slack("/slack/interactivity", form_body(submission("New client id for Acme")),
                                                "application/x-www-form-urlencoded");
    CHECK(good.status == 200);
    REQUIRE(SlackWorld::eventually([&] { return world.cards("C0PARTNER") == 1; }));
    auto const t = world.zendesk.tickets().front();
    CHECK(t.subject == "New client id for Acme");
    CHECK(t.priority == "high");
    CHECK(world.zendesk.tickets().size() == 1);
    no_violations(world);
}

TEST_CASE("tickets: kill -9 during a burst of 200 reactions on 200 threads, then after restart exactly 200 of each") {
    constexpr int kChannels = 20;
    constexpr int kThreads = 200;
    SlackWorld world{kChannels};
    auto const ts_of = [](int i) { return "17000" + std::to_string(10000 + i) + ".000100"; };
    for (int i = 0; i < kThreads; ++i) {
        world.slack.add_message(SlackWorld::channel(i % kChannels), ts_of(i), "U0PARTNER",
                                "request number " + std::to_string(i));
    }
    std::mt19937 random{20261123};
    std::set<int> acked;
    int next = 0;
    for (int round = 0; round < 3 && next < kThreads; ++round) {
        auto const until = next + 40 + static_cast<int>(random() % 40);
        for (; next < std::min(until, kThreads); ++next) {
            auto const body = SlackWorld::reaction("EvK" + std::to_string(next), SlackWorld::channel(next % kChannels),
                                                   ts_of(next));
            if (world.post_event(body) == 200) acked.insert(next);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{random() % 400});
        world.service->process().signal(SIGKILL);
        world.service->process().wait(std::chrono::seconds{5});
        world.service->start();
    }
    for (; next < kThreads; ++next) {
        auto const body = SlackWorld::reaction("EvK" + std::to_string(next), SlackWorld::channel(next % kChannels),
                                               ts_of(next));
        if (world.post_event(body) == 200) acked.insert(next);
    }
    CHECK(acked.size() == kThreads);
    auto const all_done = [&] {
        std::size_t cards = 0;
        std::size_t reacted = 0;
        for (int c = 0; c < kChannels; ++c) cards += world.cards(SlackWorld::channel(c));
        for (int i = 0; i < kThreads; ++i) reacted += world.slack.reactions(SlackWorld::channel(i % kChannels), ts_of(i)).size();
        return cards == kThreads && reacted == kThreads;
    };
    REQUIRE_MESSAGE(SlackWorld::eventually(all_done, std::chrono::seconds{120}), world.service->log());
    std::this_thread::sleep_for(std::chrono::milliseconds{500});
    CHECK(world.zendesk.tickets().size() == kThreads);
    CHECK(world.zendesk.count_creates() == kThreads);
    std::set<std::string> external;
    for (auto const& t : world.zendesk.tickets()) external.insert(t.external_id.value_or(""));
    CHECK(external.size() == kThreads);
    std::size_t cards = 0;
    for (int c = 0; c < kChannels; ++c) cards += world.cards(SlackWorld::channel(c));
    CHECK(cards == kThreads);
    no_violations(world);
}

TEST_CASE("tickets: Zendesk answering 500, then 429 with Retry-After, for 30 s, then everything completes after") {
    SlackWorld world;
    for (int i = 0; i < 5; ++i) {
        world.slack.add_message("C0PARTNER", "17000001" + std::to_string(i) + "0.000100", "U0PARTNER",
                                "outage request " + std::to_string(i));
    }
    // Longer than the 15 s it is used for: the 429 window replaces it, leaving no gap a retry could slip through.
    world.zendesk.server().fail_for(tb::fakes::Fault::status_500, std::chrono::seconds{25});
    auto const start = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i) {
        CHECK(world.post_event(SlackWorld::reaction("EvOUT" + std::to_string(i), "C0PARTNER",
                                                    "17000001" + std::to_string(i) + "0.000100")) == 200);
    }
    std::this_thread::sleep_for(std::chrono::seconds{15});
    auto const during_500 = world.zendesk.requests().size();
    world.zendesk.server().fail_for(tb::fakes::Fault::status_429, std::chrono::seconds{17}, std::chrono::seconds{10});
    std::this_thread::sleep_for(std::chrono::seconds{15});
    auto const during_429 = world.zendesk.requests().size() - during_500;
    CHECK(world.zendesk.tickets().empty());
    // 5 jobs told to come back in 10 s try at most twice each in 15 s.
    CHECK(during_429 <= 10);
    REQUIRE_MESSAGE(SlackWorld::eventually([&] { return world.cards("C0PARTNER") == 5; }, std::chrono::seconds{90}),
                    world.service->log());
    CHECK(world.zendesk.tickets().size() == 5);
    MESSAGE("completed ", std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count(),
            " s after the first request; ", during_500, " requests during the 500s, ", during_429, " during the 429s");
}
