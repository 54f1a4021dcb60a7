#include "bot/sla/ticket_clock.hpp"

#include <algorithm>
#include <random>
#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "bot/sla/sla_terms.hpp"
#include "tests/unit/bot/sla/sla_test_time.hpp"

using namespace std::chrono_literals;
using tb::bot::evaluate_sla;
using tb::bot::next_sla_change;
using tb::bot::SlaEvent;
using tb::bot::SlaHistory;
using tb::bot::SlaSettings;
using tb::bot::WorkingCalendar;
using tb::bot::WorkingSpan;
using tb::test::utc;
using Phase = tb::bot::PolicyState::Phase;

namespace {

// 09:00-17:30 Monday to Friday in London; January 2026 is on UTC, Monday 5th to Friday 9th.
SlaSettings london_settings() {
    SlaSettings sla;
    sla.calendar.timezone = "Europe/London";
    return sla;
}

SlaEvent agent_reply(std::string_view at) {
    return {.at = utc(at), .kind = SlaEvent::Kind::agent_public_reply};
}

SlaEvent requester_reply(std::string_view at) {
    return {.at = utc(at), .kind = SlaEvent::Kind::requester_reply};
}

SlaEvent status(std::string_view at, std::string new_status) {
    return {.at = utc(at), .kind = SlaEvent::Kind::status_changed, .status = std::move(new_status)};
}

SlaHistory created_at(std::string_view at, std::vector<SlaEvent> events = {}) {
    return {.created = utc(at), .events = std::move(events)};
}

tb::bot::TicketSla evaluate(SlaHistory const& history, std::string_view now,
                            SlaSettings const& sla = london_settings()) {
    WorkingCalendar const calendar{sla.calendar};
    return evaluate_sla(history, sla, calendar, utc(now));
}

}  // namespace

TEST_CASE("sla: a first reply within two working days meets the first reply deadline") {
    auto const history = created_at("2026-01-05T10:00:00Z", {status("2026-01-05T10:00:00Z", "open"),
                                                             agent_reply("2026-01-06T12:00:00Z")});
    auto const first = evaluate(history, "2026-01-07T10:00:00Z").first_reply;
    CHECK(first.phase == Phase::met);
    CHECK_FALSE(first.breached);
    CHECK(first.finished_at == utc("2026-01-06T12:00:00Z"));
    CHECK(first.working_used == 10h + 30min);
    CHECK_FALSE(first.deadline.has_value());
}

TEST_CASE("sla: without a reply the first reply clock warns, then breaches at the deadline") {
    auto const history = created_at("2026-01-05T10:00:00Z");
    // Two working days from Monday 10:00 is Wednesday 10:00; four working hours before is Tuesday
    // 14:30.
    auto const before = evaluate(history, "2026-01-07T09:59:00Z").first_reply;
    CHECK(before.phase == Phase::running);
    CHECK(before.deadline == utc("2026-01-07T10:00:00Z"));
    CHECK(before.warn_at == utc("2026-01-06T14:30:00Z"));
    CHECK_FALSE(before.breached);

    auto const at_deadline = evaluate(history, "2026-01-07T10:00:00Z").first_reply;
    CHECK(at_deadline.phase == Phase::breached);
    CHECK(at_deadline.breached);
    CHECK(at_deadline.deadline == utc("2026-01-07T10:00:00Z"));

    auto const late = created_at("2026-01-05T10:00:00Z", {agent_reply("2026-01-08T10:00:00Z")});
    auto const replied = evaluate(late, "2026-01-09T10:00:00Z").first_reply;
    CHECK(replied.phase == Phase::breached);
    CHECK(replied.finished_at == utc("2026-01-08T10:00:00Z"));
}

TEST_CASE("sla: solving before any public reply ends the first reply clock") {
    auto const in_time =
        created_at("2026-01-05T10:00:00Z", {status("2026-01-05T11:00:00Z", "solved")});
    auto const first = evaluate(in_time, "2026-01-09T10:00:00Z").first_reply;
    CHECK(first.phase == Phase::not_applicable);
    CHECK_FALSE(first.breached);

    auto const late =
        created_at("2026-01-05T10:00:00Z", {status("2026-01-08T11:00:00Z", "solved")});
    CHECK(evaluate(late, "2026-01-09T10:00:00Z").first_reply.phase == Phase::breached);
}

TEST_CASE("sla: the resolution clock pauses while pending and resumes with the time used") {
    auto const history =
        created_at("2026-01-05T09:00:00Z", {status("2026-01-05T09:00:00Z", "open"),
                                            status("2026-01-05T13:00:00Z", "pending"),
                                            status("2026-01-07T09:00:00Z", "open")});
    auto const paused = evaluate(history, "2026-01-06T12:00:00Z").resolution;
    CHECK(paused.phase == Phase::paused);
    CHECK(paused.working_used == 4h);
    CHECK_FALSE(paused.deadline.has_value());

    // 38.5 working hours left from Wednesday 09:00: Tuesday 13 January 13:30.
    auto const resumed = evaluate(history, "2026-01-07T10:00:00Z").resolution;
    CHECK(resumed.phase == Phase::running);
    CHECK(resumed.working_used == 5h);
    CHECK(resumed.deadline == utc("2026-01-13T13:30:00Z"));
    CHECK(resumed.warn_at == utc("2026-01-13T09:30:00Z"));

    auto no_pauses = london_settings();
    no_pauses.resolution_pauses.clear();
    auto const unpaused = evaluate(history, "2026-01-07T10:00:00Z", no_pauses).resolution;
    CHECK(unpaused.deadline == utc("2026-01-09T17:30:00Z"));
}

TEST_CASE("sla: hold pauses the resolution clock too, and a solve stops it") {
    auto const history =
        created_at("2026-01-05T09:00:00Z",
                   {status("2026-01-05T13:00:00Z", "hold"), status("2026-01-12T09:00:00Z", "open"),
                    status("2026-01-12T10:00:00Z", "solved")});
    auto const solved = evaluate(history, "2026-01-20T09:00:00Z").resolution;
    CHECK(solved.phase == Phase::met);
    CHECK(solved.finished_at == utc("2026-01-12T10:00:00Z"));
    CHECK(solved.working_used == 5h);
}

TEST_CASE("sla: a reopen after solved restarts the resolution clock where it stopped") {
    auto const history = created_at(
        "2026-01-05T09:00:00Z",
        {status("2026-01-05T17:00:00Z", "solved"), status("2026-01-06T09:00:00Z", "open")});
    auto const before_reopen = evaluate(history, "2026-01-05T18:00:00Z").resolution;
    CHECK(before_reopen.phase == Phase::met);
    CHECK(before_reopen.working_used == 8h);

    // 34.5 working hours left from Tuesday 09:00: Monday 12 January 09:30.
    auto const reopened = evaluate(history, "2026-01-06T10:00:00Z").resolution;
    CHECK(reopened.phase == Phase::running);
    CHECK_FALSE(reopened.finished_at.has_value());
    CHECK(reopened.deadline == utc("2026-01-12T09:30:00Z"));

    auto again = history;
    again.events.push_back(status("2026-01-12T10:00:00Z", "solved"));
    auto const late = evaluate(again, "2026-01-13T10:00:00Z").resolution;
    CHECK(late.phase == Phase::breached);
    CHECK(late.breached);
    CHECK(late.finished_at == utc("2026-01-12T10:00:00Z"));
}

TEST_CASE("sla: pending too long runs from entering pending and a requester reply resets it") {
    auto history = created_at("2026-01-05T09:00:00Z", {status("2026-01-05T10:00:00Z", "pending")});
    CHECK(evaluate(history, "2026-01-05T09:30:00Z").pending_too_long.phase ==
          Phase::not_applicable);
    auto const waiting = evaluate(history, "2026-01-07T10:00:00Z").pending_too_long;
    CHECK(waiting.phase == Phase::running);
    CHECK(waiting.deadline == utc("2026-01-12T10:00:00Z"));
    CHECK(evaluate(history, "2026-01-12T11:00:00Z").pending_too_long.phase == Phase::breached);

    history.events.push_back(requester_reply("2026-01-07T10:00:00Z"));
    auto const answered = evaluate(history, "2026-01-12T11:00:00Z").pending_too_long;
    CHECK(answered.phase == Phase::running);
    CHECK(answered.deadline == utc("2026-01-14T10:00:00Z"));

    history.events.push_back(status("2026-01-07T10:00:00Z", "open"));
    CHECK(evaluate(history, "2026-01-12T11:00:00Z").pending_too_long.phase ==
          Phase::not_applicable);
}

TEST_CASE("sla: the next change is the earliest warning or deadline still ahead") {
    auto const history = created_at("2026-01-05T10:00:00Z");
    auto const at = [&](std::string_view now) {
        return next_sla_change(evaluate(history, now), utc(now));
    };
    CHECK(at("2026-01-05T10:00:00Z") == utc("2026-01-06T14:30:00Z"));  // first reply warning
    CHECK(at("2026-01-06T14:30:00Z") == utc("2026-01-07T10:00:00Z"));  // first reply deadline
    CHECK(at("2026-01-07T10:00:00Z") == utc("2026-01-09T14:30:00Z"));  // resolution warning
    CHECK(at("2026-01-09T14:30:00Z") == utc("2026-01-12T10:00:00Z"));  // resolution deadline
    CHECK(at("2026-01-12T17:00:00Z") == std::nullopt);                 // both breached

    auto const paused =
        created_at("2026-01-05T10:00:00Z",
                   {agent_reply("2026-01-05T11:00:00Z"), status("2026-01-05T11:00:00Z", "hold")});
    CHECK(next_sla_change(evaluate(paused, "2026-01-05T12:00:00Z"), utc("2026-01-05T12:00:00Z")) ==
          std::nullopt);
}

TEST_CASE("sla: a ticket of a segment owes the segment's deadlines") {
    tb::bot::SlaSegment partners;
    partners.name = "partners";
    partners.organization_ids = {42};
    partners.first_reply = WorkingSpan{4, WorkingSpan::Unit::hours};
    tb::bot::SlaSegment department_segment;
    department_segment.name = "department";
    department_segment.tags = {"department"};
    department_segment.first_reply = WorkingSpan{1, WorkingSpan::Unit::days};
    department_segment.resolution_target = 0.70;
    auto sla = london_settings();
    sla.segments = {partners, department_segment};
    auto history = created_at("2026-01-05T10:00:00Z");
    history.tags = {"slack", "department"};
    auto const department = evaluate(history, "2026-01-05T11:00:00Z", sla);
    CHECK(department.segment == "department");
    CHECK(department.first_reply.deadline == utc("2026-01-06T10:00:00Z"));
    CHECK(department.resolution.deadline == utc("2026-01-12T10:00:00Z"));  // the default 5d

    history.organization_id = 42;  // both match: the first listed wins
    auto const partner = evaluate(history, "2026-01-05T11:00:00Z", sla);
    CHECK(partner.segment == "partners");
    CHECK(partner.first_reply.deadline == utc("2026-01-05T14:00:00Z"));

    auto const terms = tb::bot::terms_for(sla, {"department"}, std::nullopt);
    CHECK(terms.targets.resolution == doctest::Approx(0.70));
    CHECK(terms.targets.first_reply == doctest::Approx(0.80));
    CHECK(tb::bot::terms_for(sla, {"other"}, 7).segment.empty());
}

TEST_CASE("sla: events in any order, or arriving late, give the same deadlines") {
    std::vector<SlaEvent> const events{
        status("2026-01-05T09:00:00Z", "open"),    agent_reply("2026-01-05T12:00:00Z"),
        status("2026-01-05T13:00:00Z", "pending"), requester_reply("2026-01-07T09:00:00Z"),
        status("2026-01-07T09:00:00Z", "open"),    status("2026-01-08T12:00:00Z", "solved"),
        status("2026-01-09T09:00:00Z", "open"),    status("2026-01-09T09:30:00Z", "hold"),
    };
    auto const in_order = created_at("2026-01-05T09:00:00Z", events);
    std::mt19937 shuffle{7};
    for (auto const* now :
         {"2026-01-06T09:00:00Z", "2026-01-08T13:00:00Z", "2026-01-20T09:00:00Z"}) {
        auto const expected = evaluate(in_order, now);
        for (int round = 0; round < 20; ++round) {
            auto shuffled = in_order;
            std::shuffle(shuffled.events.begin(), shuffled.events.end(), shuffle);
            CHECK(evaluate(shuffled, now) == expected);
        }
    }
    // Events after `now` are not yet known: the reply of 12:00 does not count at 11:00.
    CHECK(evaluate(in_order, "2026-01-05T11:00:00Z").first_reply.phase == Phase::running);
}
