#include "bot/sla/sla_report.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using tb::bot::SlaEvent;
using tb::bot::SlaPolicy;

namespace {

// Monday 2 November 2026, 09:00 UTC; the default calendar (UTC, Mon-Fri 09:00-17:30), first
// reply 2d, resolution 5d, targets 80%.
constexpr std::int64_t kMonday0900 = 1'793'610'000'000;

tb::bot::SlaRecord ticket(tb::bot::TicketId id, std::vector<SlaEvent> events, std::string group) {
    tb::bot::SlaRecord r;
    r.ticket_id = id;
    r.history.created = tb::bot::from_unix_ms(kMonday0900);
    r.history.events = std::move(events);
    r.group = std::move(group);
    r.priority = "normal";
    return r;
}

SlaEvent at(std::chrono::hours after, SlaEvent::Kind kind, std::string status = {}) {
    return {tb::bot::from_unix_ms(kMonday0900) + after, kind, std::move(status)};
}

std::vector<tb::bot::SlaRecord> three_tickets() {
    using K = SlaEvent::Kind;
    return {ticket(1, {at(1h, K::agent_public_reply), at(25h, K::status_changed, "solved")}, "Security"),
            ticket(2, {at(49h, K::agent_public_reply), at(73h, K::status_changed, "solved")}, "Privacy"),
            ticket(3, {}, "Privacy")};
}

}  // namespace

TEST_CASE("sla report: shares met against targets, open clocks not counted, the latest breaches first") {
    tb::bot::Settings settings;
    tb::bot::WorkingCalendar const calendar{settings.sla.calendar};
    auto const now = tb::bot::from_unix_ms(kMonday0900) + 24h * 21;
    auto const report = tb::bot::build_sla_report(three_tickets(), settings.sla, calendar, now, tb::bot::ReportBy::all);
    CHECK(report.tickets == 3);
    REQUIRE(report.rows.size() == 2);
    CHECK(report.rows[0].policy == SlaPolicy::first_reply);
    CHECK(report.rows[0].met == 1);
    CHECK(report.rows[0].breached == 2);
    CHECK(report.rows[0].share() == doctest::Approx(1.0 / 3));
    CHECK_FALSE(report.rows[0].meets_target());
    CHECK(report.rows[1].policy == SlaPolicy::resolution);
    CHECK(report.rows[1].met == 2);
    CHECK(report.rows[1].breached == 1);
    REQUIRE(report.worst.size() == 3);
    CHECK(report.worst[0].ticket_id == 3);
    CHECK(report.worst.back().ticket_id == 2);
    CHECK(report.worst.back().policy == SlaPolicy::first_reply);
    CHECK(report.worst.back().late == 1h);  // due Tuesday 17:30, answered Wednesday 10:00
}

TEST_CASE("sla report: by group, each group its own rows, a running clock counted as open") {
    tb::bot::Settings settings;
    tb::bot::WorkingCalendar const calendar{settings.sla.calendar};
    auto const now = tb::bot::from_unix_ms(kMonday0900) + 26h;  // Tuesday 11:00
    auto const report = tb::bot::build_sla_report(three_tickets(), settings.sla, calendar, now, tb::bot::ReportBy::group);
    REQUIRE(report.rows.size() == 4);
    CHECK(report.rows[0].bucket == "Privacy");
    CHECK(report.rows[0].open == 2);  // tickets 2 and 3: first reply still due today
    CHECK(report.rows[1].bucket == "Security");
    CHECK(report.rows[1].met == 1);
    CHECK(report.rows[1].meets_target());
    CHECK(report.worst.empty());
}
