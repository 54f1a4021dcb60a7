// Service levels end to end: the real binary with its SLA clock running 1,200 times faster
// (`serve --sla-speed`, one real second is 20 working minutes), fake Slack and fake Zendesk.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <thread>

#include "tests/integration/slack_world.hpp"

using namespace tb::testing;
using nlohmann::json;

namespace {

constexpr char const* kAlerts = "C0ALERTS";
constexpr char const* kLate = "1700000300.000100";
constexpr char const* kAnswered = "1700000301.000100";

// Round the clock, so the test means the same on any day: first reply warns at 6 s and breaches at
// 12 s; resolution warns at 12 s and breaches at 18 s.
constexpr char const* kSla = R"(sla:
  calendar: { timezone: UTC, workdays: [mon, tue, wed, thu, fri, sat, sun], hours: "00:00-24:00" }
  first_reply: 4h
  resolution: 6h
  resolution_pauses: [pending, hold]
  warn_before: 2h
)";

std::vector<std::string> fast_clock_args(std::int64_t origin_ms) {
    return {"--sla-speed", "1200", "--sla-origin", std::to_string(origin_ms)};
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

struct SlaWorld : SlackWorld {
    std::int64_t kim = 0;
    std::map<std::string, std::int64_t> tickets;  // by thread ts
    int next_event = 0;

    explicit SlaWorld(std::int64_t origin_ms)
        : SlackWorld(1, "public", "  alert_channel: C0ALERTS\n", kSla, fast_clock_args(origin_ms)) {
        kim = zendesk.add_user("Kim Agent", "kim@gov.example", "agent");
        slack.add_channel(kAlerts, "support-alerts");
    }

    void open(std::string const& ts, std::string const& text) {
        slack.add_message("C0PARTNER", ts, "U0PARTNER", text);
        REQUIRE(post_event(reaction("EvSLA" + std::string{ts}, "C0PARTNER", ts)) == 200);
        REQUIRE_MESSAGE(eventually([&] { return zendesk.tickets().size() > tickets.size(); }), service->log());
        tickets[ts] = zendesk.tickets().back().id;
    }

    // A ticket event in Zendesk's envelope, stamped now, as its webhook sends it.
    int deliver(std::int64_t ticket, std::string const& type, json change) {
        auto const at = iso_utc(unix_now());
        json detail{{"actor_id", std::to_string(kim)}, {"id", std::to_string(ticket)}, {"status", "OPEN"},
                    {"subject", "x"}, {"updated_at", at}};
        json body{{"account_id", 1}, {"detail", detail}, {"event", std::move(change)},
                  {"id", "01HZSLA" + std::to_string(++next_event)}, {"subject", "zen:ticket:" + std::to_string(ticket)},
                  {"time", at}, {"type", "zen:event-type:ticket." + type}, {"zendesk_event_version", "2022-11-06"}};
        return service->post_zendesk(body.dump()).status;
    }

    std::vector<std::string> alerts_about(std::int64_t ticket) const {
        std::vector<std::string> out;
        auto const ref = "|#" + std::to_string(ticket) + ">";
        for (auto const& m : slack.messages(kAlerts)) {
            if (!m.bot_id.empty() && m.text.find(ref) != std::string::npos) out.push_back(m.text);
        }
        return out;
    }
    std::vector<std::string> thread_alerts(std::string const& ts) const {
        std::vector<std::string> out;
        for (auto const& m : slack.thread("C0PARTNER", ts)) {
            if (!m.bot_id.empty() && (m.text.find(" due ") != std::string::npos ||
                                      m.text.find(" breached") != std::string::npos)) {
                out.push_back(m.text);
            }
        }
        return out;
    }
    static std::size_t count(std::vector<std::string> const& texts, std::string const& part) {
        return static_cast<std::size_t>(
            std::count_if(texts.begin(), texts.end(), [&](auto const& t) { return t.find(part) != std::string::npos; }));
    }
};

}  // namespace

TEST_CASE("sla flow: warned then breached once each, across a restart; a ticket answered and pending in time is never announced") {
    SlaWorld w{now_ms()};
    w.open(kLate, "Our SAML login fails for every user");
    w.open(kAnswered, "Could you add our new logo?");
    auto const late = w.tickets.at(kLate);
    auto const answered = w.tickets.at(kAnswered);

    json reply{{"comment", {{"id", "888001"}, {"body", "Thanks, we are on it. Could you send the logo as SVG?"},
                            {"is_public", true},
                            {"author", {{"id", std::to_string(w.kim)}, {"is_staff", true}, {"name", "Kim Agent"}}}}}};
    CHECK(w.deliver(answered, "comment_added", reply) == 200);
    w.zendesk.agent_update(answered, {{"status", "pending"}});
    CHECK(w.deliver(answered, "status_changed", {{"previous", "OPEN"}, {"current", "PENDING"}}) == 200);

    REQUIRE_MESSAGE(SlackWorld::eventually([&] { return !w.alerts_about(late).empty(); }, std::chrono::seconds{20}),
                    w.service->log());
    auto const first = w.alerts_about(late);
    CHECK(first.front().find("first reply due") != std::string::npos);
    CHECK(first.front().find("Assigned to nobody") != std::string::npos);
    CHECK(SlaWorld::count(first, "breached") == 0);

    // Stopped between the warning and the breach, started again with the same clock.
    w.service->process().signal(SIGTERM);
    CHECK(w.service->process().wait(std::chrono::seconds{10}) == 0);
    w.service->start();

    REQUIRE_MESSAGE(SlackWorld::eventually([&] { return SlaWorld::count(w.alerts_about(late), "resolution breached") == 1; },
                                           std::chrono::seconds{40}),
                    w.service->log());
    std::this_thread::sleep_for(std::chrono::seconds{3});  // another hour of SLA time: nothing more to say

    auto const told = w.alerts_about(late);
    CHECK(told.size() == 4);
    CHECK(SlaWorld::count(told, "first reply due") == 1);
    CHECK(SlaWorld::count(told, "first reply breached") == 1);
    CHECK(SlaWorld::count(told, "resolution due") == 1);
    CHECK(SlaWorld::count(told, "resolution breached") == 1);
    auto const in_thread = w.thread_alerts(kLate);
    std::string listed;
    for (auto const& t : in_thread) listed += t + "\n";
    CHECK_MESSAGE(in_thread.size() == 4, listed);

    CHECK(w.alerts_about(answered).empty());
    CHECK(w.thread_alerts(kAnswered).empty());
    CHECK(w.slack.violations() == std::vector<std::string>{});
    CHECK(w.zendesk.violations() == std::vector<std::string>{});
}

TEST_CASE("sla flow: a ticket answered after its warning is not announced as breached") {
    SlaWorld w{now_ms()};
    w.open(kLate, "Our SAML login fails for every user");
    auto const ticket = w.tickets.at(kLate);
    REQUIRE_MESSAGE(SlackWorld::eventually([&] { return !w.alerts_about(ticket).empty(); }, std::chrono::seconds{20}),
                    w.service->log());

    json reply{{"comment", {{"id", "888101"}, {"body", "Looking now."}, {"is_public", true},
                            {"author", {{"id", std::to_string(w.kim)}, {"is_staff", true}, {"name", "Kim Agent"}}}}}};
    CHECK(w.deliver(ticket, "comment_added", reply) == 200);
    w.zendesk.agent_update(ticket, {{"status", "solved"}, {"assignee_id", w.kim}});
    CHECK(w.deliver(ticket, "status_changed", {{"previous", "OPEN"}, {"current", "SOLVED"}}) == 200);
    std::this_thread::sleep_for(std::chrono::seconds{16});  // past both deadlines

    auto const told = w.alerts_about(ticket);
    CHECK(told.size() == 1);
    CHECK(SlaWorld::count(told, "first reply due") == 1);
    CHECK(SlaWorld::count(told, "breached") == 0);
}
