// Zendesk to Slack, end to end: signed ticket events posted to the real binary's
// /zendesk/webhook reach the ticket's Slack thread (fake Slack and fake Zendesk check every call).
#include <doctest/doctest.h>

#include <csignal>
#include <set>
#include <thread>

#include "tests/integration/slack_world.hpp"

using namespace tb::testing;
using nlohmann::json;

namespace {

constexpr char const* kRoot = "1700000100.000100";

struct Synced : SlackWorld {
    std::int64_t ticket = 0;
    std::int64_t kim = 0;
    std::int64_t bridge = 0;  // the API user the service acts as
    int next_event = 0;

    Synced() {
        kim = zendesk.add_user("Kim Agent", "kim@gov.example", "agent");
        for (auto const& u : zendesk.users()) {
            if (u.email == "bridge@example.com") bridge = u.id;
        }
        slack.add_message("C0PARTNER", kRoot, "U0PARTNER", "Login fails for our users");
        REQUIRE(post_event(reaction("EvOPEN", "C0PARTNER", kRoot)) == 200);
        REQUIRE_MESSAGE(eventually([&] { return cards("C0PARTNER") == 1 && !slack.reactions("C0PARTNER", kRoot).empty(); }),
                        service->log());
        ticket = zendesk.tickets().front().id;
    }

    // A ticket event in Zendesk's envelope, as its webhook sends it.
    json event(std::string const& type, json change, std::int64_t actor, std::string id = {}) {
        if (id.empty()) id = "01HZEVENT" + std::to_string(++next_event);
        auto const t = zendesk.ticket(ticket);
        json detail{{"actor_id", std::to_string(actor)}, {"id", std::to_string(ticket)}, {"status", "OPEN"},
                    {"subject", t ? t->subject : ""}, {"updated_at", "2026-11-23T10:00:00Z"}};
        return json{{"account_id", 1},      {"detail", detail},
                    {"event", std::move(change)}, {"id", id},
                    {"subject", "zen:ticket:" + std::to_string(ticket)},
                    {"time", "2026-11-23T10:00:00.123456789Z"},
                    {"type", "zen:event-type:ticket." + type},
                    {"zendesk_event_version", "2022-11-06"}};
    }
    int deliver(json const& body) { return service->post_zendesk(body.dump()).status; }

    std::vector<std::string> lines() const {
        std::vector<std::string> out;
        for (auto const& m : slack.messages("C0PARTNER")) {
            if (!m.bot_id.empty() && m.thread_ts == kRoot && m.blocks.is_null()) out.push_back(m.text);
        }
        return out;
    }
    std::string card_status() const {
        for (auto const& m : slack.messages("C0PARTNER")) {
            auto const blocks = m.blocks.dump();
            if (blocks.find("ticket_take") == std::string::npos) continue;
            for (auto const* status : {"Status: new", "Status: open", "Status: pending", "Status: solved"}) {
                if (blocks.find(status) != std::string::npos) return status;
            }
            auto const at = blocks.find("Status");
            return at == std::string::npos ? "?" : blocks.substr(at, 40);
        }
        return {};
    }
    void no_violations() const {
        CHECK(slack.violations() == std::vector<std::string>{});
        CHECK(zendesk.violations() == std::vector<std::string>{});
    }
};

}  // namespace

TEST_CASE("zendesk sync: an agent's change and public reply in Zendesk reach the thread, the card follows") {
    Synced w;
    w.zendesk.agent_update(w.ticket, {{"status", "pending"}});
    CHECK(w.deliver(w.event("status_changed", {{"previous", "OPEN"}, {"current", "PENDING"}}, w.kim)) == 200);
    auto const ref = "#" + std::to_string(w.ticket);
    REQUIRE_MESSAGE(SlackWorld::eventually([&] { return w.lines().size() == 1; }), w.service->log());
    CHECK(w.lines()[0] == "*Kim Agent* changed " + ref + " from Open to Pending in Zendesk");
    CHECK(SlackWorld::eventually([&] { return w.card_status().find("pending") != std::string::npos; }));

    json comment{{"comment", {{"id", "777001"}, {"body", "Could you send us the SAML response?"}, {"is_public", true},
                              {"author", {{"id", std::to_string(w.kim)}, {"is_staff", true}, {"name", "Kim Agent"}}}}}};
    CHECK(w.deliver(w.event("comment_added", comment, w.kim)) == 200);
    REQUIRE(SlackWorld::eventually([&] { return w.lines().size() == 2; }));
    CHECK(w.lines()[1] == "*Kim Agent* replied in Zendesk:\n>Could you send us the SAML response?");

    json note{{"comment", {{"id", "777002"}, {"body", "internal: partner cert expired"}, {"is_public", false},
                           {"author", {{"id", std::to_string(w.kim)}, {"is_staff", true}, {"name", "Kim Agent"}}}}}};
    CHECK(w.deliver(w.event("comment_added", note, w.kim)) == 200);
    std::this_thread::sleep_for(std::chrono::milliseconds{600});
    CHECK(w.lines().size() == 2);  // internal notes stay in Zendesk in this channel
    w.no_violations();
}

TEST_CASE("zendesk sync: the bridge's own changes are not echoed and a redelivered event posts once") {
    Synced w;
    json copied{{"comment", {{"id", "777100"}, {"body", "Pat replied in Slack"}, {"is_public", true},
                             {"author", {{"id", std::to_string(w.kim)}, {"is_staff", true}, {"name", "Kim Agent"}}}}}};
    REQUIRE(w.bridge != 0);
    CHECK(w.deliver(w.event("comment_added", copied, w.bridge)) == 200);
    auto const again = w.event("priority_changed", {{"previous", "NORMAL"}, {"current", "HIGH"}}, w.kim, "01HZSAME");
    for (int i = 0; i < 3; ++i) CHECK(w.deliver(again) == 200);
    REQUIRE(SlackWorld::eventually([&] { return w.lines().size() == 1; }));
    std::this_thread::sleep_for(std::chrono::milliseconds{600});
    CHECK(w.lines() == std::vector<std::string>{"*Kim Agent* set #" + std::to_string(w.ticket) + " to High priority in Zendesk"});
    CHECK(w.service->metrics().find(R"(tb_intake_total{source="zendesk_webhook",outcome="duplicate"} 2)") != std::string::npos);
    w.no_violations();
}

TEST_CASE("zendesk sync: a late event does not move the card back, unknown tickets are acknowledged and ignored") {
    Synced w;
    w.zendesk.agent_update(w.ticket, {{"status", "solved"}, {"assignee_id", w.kim}});
    CHECK(w.deliver(w.event("status_changed", {{"previous", "OPEN"}, {"current", "SOLVED"}}, w.kim)) == 200);
    CHECK(w.deliver(w.event("status_changed", {{"previous", "NEW"}, {"current", "OPEN"}}, w.kim)) == 200);  // late
    REQUIRE(SlackWorld::eventually([&] { return w.lines().size() == 2; }));
    std::this_thread::sleep_for(std::chrono::milliseconds{500});
    CHECK(w.card_status().find("solved") != std::string::npos);

    auto unknown = w.event("status_changed", {{"previous", "OPEN"}, {"current", "PENDING"}}, w.kim);
    unknown["subject"] = "zen:ticket:987654";
    CHECK(w.deliver(unknown) == 200);
    std::this_thread::sleep_for(std::chrono::milliseconds{500});
    CHECK(w.lines().size() == 2);
    w.no_violations();
}

TEST_CASE("zendesk sync: what happened in Zendesk while the service was down is caught up on restart, once") {
    Synced w;
    auto const ref = "#" + std::to_string(w.ticket);
    w.service->process().signal(SIGTERM);
    REQUIRE(w.service->process().wait(std::chrono::seconds{10}) == 0);
    w.zendesk.agent_update(w.ticket, {{"status", "pending"}, {"priority", "high"}, {"assignee_id", w.kim}},
                           json{{"body", "We renewed the certificate."}, {"public", true}, {"author_id", w.kim}});
    w.service->start();  // catches up on start, from the cursor the first run saved
    REQUIRE_MESSAGE(SlackWorld::eventually([&] { return w.lines().size() == 2; }), w.service->log());
    CHECK(w.lines()[0] == "*Kim Agent* replied in Zendesk:\n>We renewed the certificate.");
    CHECK(w.lines()[1].starts_with(ref + " changed in Zendesk while ticketbridge was not receiving its updates: "));
    CHECK(w.lines()[1].find("→ Pending") != std::string::npos);
    CHECK(w.lines()[1].find("High priority · assigned to *Kim Agent*") != std::string::npos);
    CHECK(SlackWorld::eventually([&] { return w.card_status().find("pending") != std::string::npos; }));

    // Zendesk retries the webhooks it could not deliver: the same change and comment, late.
    auto const t = w.zendesk.ticket(w.ticket);
    REQUIRE(t);
    auto status = w.event("status_changed", {{"previous", "NEW"}, {"current", "PENDING"}}, w.kim);
    status["time"] = t->updated_at;
    json comment{{"comment", {{"id", std::to_string(t->comments.back().id)}, {"body", "We renewed the certificate."},
                              {"is_public", true},
                              {"author", {{"id", std::to_string(w.kim)}, {"is_staff", true}, {"name", "Kim Agent"}}}}}};
    auto late_comment = w.event("comment_added", comment, w.kim);
    late_comment["time"] = t->updated_at;
    CHECK(w.deliver(status) == 200);
    CHECK(w.deliver(late_comment) == 200);
    std::this_thread::sleep_for(std::chrono::milliseconds{800});
    CHECK(w.lines().size() == 2);

    w.service->process().signal(SIGTERM);
    REQUIRE(w.service->process().wait(std::chrono::seconds{10}) == 0);
    w.service->start();
    std::this_thread::sleep_for(std::chrono::milliseconds{1500});
    CHECK(w.lines().size() == 2);
    w.no_violations();
}

TEST_CASE("zendesk sync: a burst of 50 changes in one channel is paced, not dropped, and Slack refuses none") {
    Synced w;
    std::set<std::string> expected;
    auto const ref = "#" + std::to_string(w.ticket);
    for (int i = 1; i <= 50; ++i) {
        auto const subject = "Login fails, step " + std::to_string(i);
        expected.insert("*Kim Agent* renamed " + ref + " to “" + subject + "” in Zendesk");
        CHECK(w.deliver(w.event("subject_changed", {{"previous", "before"}, {"current", subject}}, w.kim)) == 200);
    }
    auto const started = std::chrono::steady_clock::now();
    REQUIRE_MESSAGE(SlackWorld::eventually([&] { return w.lines().size() >= 50; }, std::chrono::seconds{150}),
                    w.lines().size() << " lines; " << w.service->log());
    auto const took = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
    MESSAGE("50 lines in one channel took " << took.count() << " s");
    auto const lines = w.lines();
    CHECK(lines.size() == 50);
    CHECK(std::set<std::string>(lines.begin(), lines.end()) == expected);
    CHECK(w.slack.ratelimited_count() == 0);
    w.no_violations();
}
