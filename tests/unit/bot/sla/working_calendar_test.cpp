#include "bot/sla/working_calendar.hpp"

#include <stdexcept>
#include <vector>

#include <doctest/doctest.h>

#include "tests/unit/bot/sla/sla_test_time.hpp"

using namespace std::chrono_literals;
using tb::bot::Date;
using tb::bot::SlaCalendarSettings;
using tb::bot::Weekday;
using tb::bot::WorkingCalendar;
using tb::bot::WorkingSpan;
using tb::test::utc;

namespace {

constexpr WorkingSpan kOneDay{1, WorkingSpan::Unit::days};
constexpr WorkingSpan kTwoDays{2, WorkingSpan::Unit::days};

// 09:00-17:30 Monday to Friday in London, like the example config.
SlaCalendarSettings london(std::vector<Date> holidays = {}) {
    SlaCalendarSettings settings;
    settings.timezone = "Europe/London";
    settings.holidays = std::move(holidays);
    return settings;
}

// 08:00-16:00 in Dubai (UTC+4 all year), on the given work days.
SlaCalendarSettings dubai(std::vector<Weekday> workdays) {
    SlaCalendarSettings settings;
    settings.timezone = "Asia/Dubai";
    settings.workdays = std::move(workdays);
    settings.day_start = 8h;
    settings.day_end = 16h;
    return settings;
}

}  // namespace

TEST_CASE("calendar: a working day is the length of the working hours") {
    WorkingCalendar const calendar{london()};
    CHECK(calendar.day_length() == 8h + 30min);
    CHECK(calendar.duration(kTwoDays) == 17h);
    CHECK(calendar.duration(WorkingSpan{4, WorkingSpan::Unit::hours}) == 4h);
    CHECK(calendar.duration(WorkingSpan{30, WorkingSpan::Unit::minutes}) == 30min);
}

TEST_CASE("calendar: working days pass the weekend by") {
    WorkingCalendar const calendar{london()};
    // Monday 5 January 2026 is in winter: London is on UTC.
    CHECK(calendar.add(utc("2026-01-05T15:00:00Z"), kTwoDays) == utc("2026-01-07T15:00:00Z"));
    CHECK(calendar.add(utc("2026-01-09T15:00:00Z"), kTwoDays) == utc("2026-01-13T15:00:00Z"));
    CHECK(calendar.add(utc("2026-01-09T17:00:00Z"), 1h) == utc("2026-01-12T09:30:00Z"));
}

TEST_CASE("calendar: a start outside working hours counts from the next working morning") {
    WorkingCalendar const calendar{london()};
    // Saturday and Sunday count from Monday 09:00.
    CHECK(calendar.add(utc("2026-01-10T10:00:00Z"), 4h) == utc("2026-01-12T13:00:00Z"));
    CHECK(calendar.add(utc("2026-01-11T23:59:00Z"), kTwoDays) == utc("2026-01-13T17:30:00Z"));
    // Before and after hours on a work day.
    CHECK(calendar.add(utc("2026-01-05T07:00:00Z"), 1h) == utc("2026-01-05T10:00:00Z"));
    CHECK(calendar.add(utc("2026-01-05T20:00:00Z"), 30min) == utc("2026-01-06T09:30:00Z"));
    CHECK(calendar.add(utc("2026-01-05T17:30:00Z"), 1h) == utc("2026-01-06T10:00:00Z"));
}

TEST_CASE("calendar: a deadline that uses up a day lands at its end, not the next morning") {
    WorkingCalendar const calendar{london()};
    CHECK(calendar.add(utc("2026-01-05T09:00:00Z"), kOneDay) == utc("2026-01-05T17:30:00Z"));
    CHECK(calendar.add(utc("2026-01-10T12:00:00Z"), kOneDay) == utc("2026-01-12T17:30:00Z"));
    CHECK(calendar.add(utc("2026-01-05T13:30:00Z"), 4h) == utc("2026-01-05T17:30:00Z"));
}

TEST_CASE("calendar: holidays are skipped like weekends") {
    WorkingCalendar const with_holidays{london({{2026, 12, 25}, {2026, 12, 28}})};
    WorkingCalendar const without{london()};
    auto const christmas_eve = utc("2026-12-24T15:00:00Z");
    CHECK(without.add(christmas_eve, kTwoDays) == utc("2026-12-28T15:00:00Z"));
    CHECK(with_holidays.add(christmas_eve, kTwoDays) == utc("2026-12-30T15:00:00Z"));
    CHECK_FALSE(with_holidays.is_working(utc("2026-12-28T12:00:00Z")));
    CHECK(with_holidays.between(christmas_eve, utc("2026-12-30T15:00:00Z")) == 17h);
}

TEST_CASE("calendar: two working days across the spring daylight-saving change in London") {
    WorkingCalendar const calendar{london()};
    // Friday 27 March 2026 15:00 GMT; clocks go forward on Sunday 29 March. Tuesday 15:00 BST.
    auto const friday = utc("2026-03-27T15:00:00Z");
    CHECK(calendar.add(friday, kTwoDays) == utc("2026-03-31T14:00:00Z"));
    CHECK(calendar.between(friday, utc("2026-03-31T14:00:00Z")) == 17h);
    CHECK(calendar.is_working(utc("2026-03-30T08:00:00Z")));        // Monday 09:00 BST
    CHECK_FALSE(calendar.is_working(utc("2026-03-30T16:30:00Z")));  // Monday 17:30 BST
}

TEST_CASE("calendar: two working days across the autumn daylight-saving change in London") {
    WorkingCalendar const calendar{london()};
    // Friday 23 October 2026 15:00 BST; clocks go back on Sunday 25 October. Tuesday 15:00 GMT.
    auto const friday = utc("2026-10-23T14:00:00Z");
    CHECK(calendar.add(friday, kTwoDays) == utc("2026-10-27T15:00:00Z"));
    CHECK(calendar.between(friday, utc("2026-10-27T15:00:00Z")) == 17h);
    CHECK(calendar.is_working(utc("2026-10-26T09:00:00Z")));  // Monday 09:00 GMT
    CHECK_FALSE(calendar.is_working(utc("2026-10-26T08:30:00Z")));
}

TEST_CASE("calendar: a round-the-clock day is as long as the clocks make it") {
    auto settings = london();
    settings.workdays = {Weekday::sun, Weekday::mon, Weekday::tue, Weekday::wed,
                         Weekday::thu, Weekday::fri, Weekday::sat};
    settings.day_start = 0min;
    settings.day_end = 24h;
    WorkingCalendar const calendar{settings};
    // Sunday 29 March 2026 has 23 hours in London, Sunday 25 October 25.
    CHECK(calendar.between(utc("2026-03-29T00:00:00Z"), utc("2026-03-29T23:00:00Z")) == 23h);
    CHECK(calendar.between(utc("2026-10-24T23:00:00Z"), utc("2026-10-26T00:00:00Z")) == 25h);
    CHECK(calendar.add(utc("2026-03-28T12:00:00Z"), 24h) == utc("2026-03-29T12:00:00Z"));
}

TEST_CASE("calendar: a Sunday to Thursday week in Asia/Dubai") {
    WorkingCalendar const sun_thu{
        dubai({Weekday::sun, Weekday::mon, Weekday::tue, Weekday::wed, Weekday::thu})};
    // Thursday 5 November 2026 14:00 in Dubai (10:00Z): Friday and Saturday are the weekend.
    auto const thursday = utc("2026-11-05T10:00:00Z");
    CHECK(sun_thu.add(thursday, kOneDay) == utc("2026-11-08T10:00:00Z"));  // Sunday 14:00
    CHECK_FALSE(sun_thu.is_working(utc("2026-11-06T06:00:00Z")));          // Friday 10:00
    CHECK(sun_thu.is_working(utc("2026-11-08T06:00:00Z")));                // Sunday 10:00
    CHECK(sun_thu.between(thursday, utc("2026-11-08T10:00:00Z")) == 8h);

    WorkingCalendar const mon_fri{
        dubai({Weekday::mon, Weekday::tue, Weekday::wed, Weekday::thu, Weekday::fri})};
    CHECK(mon_fri.add(thursday, kOneDay) == utc("2026-11-06T10:00:00Z"));   // Friday 14:00
    CHECK(mon_fri.add(thursday, kTwoDays) == utc("2026-11-09T10:00:00Z"));  // Monday 14:00
}

TEST_CASE("calendar: between measures what add added, and subtract undoes add") {
    WorkingCalendar const calendar{london({{2026, 12, 25}, {2026, 12, 28}})};
    std::vector<std::chrono::milliseconds> const spans{1ms, 1min, 90min, 17h, 200h};
    for (auto const from :
         {utc("2026-01-05T15:00:00Z"), utc("2026-03-27T12:34:56Z"), utc("2026-10-23T15:59:00Z"),
          utc("2026-10-23T16:59:00Z"), utc("2026-12-24T09:00:00Z")}) {
        for (std::chrono::milliseconds const working : spans) {
            auto const to = calendar.add(from, working);
            CAPTURE(from);
            CAPTURE(working.count());
            CHECK(calendar.elapsed(from, to) == working);
            // Outside hours add starts at the next window, and subtract comes back to its start.
            auto const start = calendar.is_working(from) ? from : calendar.add(from, 1ms) - 1ms;
            CHECK(calendar.subtract(to, working) == start);
        }
    }
    CHECK(calendar.between(utc("2026-01-07T10:00:00Z"), utc("2026-01-05T10:00:00Z")) == 0min);
    CHECK(calendar.add(utc("2026-01-10T10:00:00Z"), 0min) == utc("2026-01-10T10:00:00Z"));
}

TEST_CASE("calendar: a year of working time in England and Wales") {
    WorkingCalendar const calendar{london({{2026, 1, 1},
                                           {2026, 4, 3},
                                           {2026, 4, 6},
                                           {2026, 5, 4},
                                           {2026, 5, 25},
                                           {2026, 8, 31},
                                           {2026, 12, 25},
                                           {2026, 12, 28}})};
    // 261 weekdays less 8 bank holidays, 8.5 hours each.
    auto const year = calendar.between(utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z"));
    CHECK(year == std::chrono::minutes{253 * 510});
    CHECK(calendar.add(utc("2026-01-01T00:00:00Z"), year) == utc("2026-12-31T17:30:00Z"));
}

TEST_CASE("calendar: an unknown time zone is refused with its name") {
    auto settings = london();
    settings.timezone = "Europe/Lodnon";
    CHECK_THROWS_WITH_AS(WorkingCalendar{settings}, doctest::Contains("Europe/Lodnon"),
                         std::invalid_argument);
    settings.timezone = "Europe/London";
    settings.workdays.clear();
    CHECK_THROWS_AS(WorkingCalendar{settings}, std::invalid_argument);
}
