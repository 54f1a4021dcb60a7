#pragma once

#include <bitset>
#include <chrono>
#include <string>
#include <vector>

#include "bot/clock.hpp"
#include "bot/config/settings.hpp"

namespace date {
class time_zone;
}

namespace tb::bot {

// When a team works: the local wall-clock window [day_start, day_end) of each work day that is
// not a holiday, in an IANA time zone. SLA clocks run only inside these windows. A working day is
// day_end - day_start of working time, so "2d" from Monday 15:00 is Wednesday 15:00, and a deadline
// that uses up a window exactly falls at that window's end, not at the next morning.
class WorkingCalendar {
public:
    // `settings.holidays` must already hold the holidays file's dates (the config loader merges
    // them). Throws std::invalid_argument on an unknown zone, no work days or empty hours.
    explicit WorkingCalendar(SlaCalendarSettings const& settings);

    // The instant at which `working` working time has passed since `from`; `from` itself when
    // `working` is not positive.
    Instant add(Instant from, std::chrono::milliseconds working) const;
    Instant add(Instant from, WorkingSpan span) const;
    // The instant `working` working time before `to`; the mirror of add.
    Instant subtract(Instant to, std::chrono::milliseconds working) const;

    // Working time in [from, to); zero when to <= from. `between` is whole minutes (rounded down).
    std::chrono::milliseconds elapsed(Instant from, Instant to) const;
    std::chrono::minutes between(Instant from, Instant to) const;

    bool is_working(Instant at) const;
    // `at` on the team's wall clock, e.g. "Tue 24 Nov 15:00".
    std::string local_text(Instant at) const;
    // Where a calendar day of the team's zone begins, and where it ends (the next day begins).
    Instant day_begins(Date day) const;
    Date local_date(Instant at) const;
    Instant day_ends(Date day) const;
    // `time_of_day` on the team's wall clock that day (the earlier reading when it is ambiguous,
    // the moment the clocks jumped when it does not exist).
    Instant local_instant(Date day, std::chrono::minutes time_of_day) const;
    // A work day that is not a holiday.
    bool is_work_date(Date day) const;
    std::chrono::minutes day_length() const noexcept { return day_end_ - day_start_; }
    // "2d" → 2 × day_length(), "4h" → 4 hours.
    std::chrono::milliseconds duration(WorkingSpan span) const noexcept;

private:
    struct Window {
        Instant start;
        Instant end;
    };
    using LocalDays = std::chrono::local_days;

    bool is_work_day(LocalDays day) const;
    Window window(LocalDays day) const;  // in UTC, for a day that is a work day
    LocalDays local_day(Instant at) const;

    date::time_zone const* zone_;  // locate_zone is slow: looked up once
    std::bitset<7> workdays_;      // indexed by weekday, Sunday = 0
    std::chrono::minutes day_start_;
    std::chrono::minutes day_end_;
    std::vector<LocalDays> holidays_;  // sorted, unique
};

}  // namespace tb::bot
