#include "bot/sla/working_calendar.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include <date/tz.h>

namespace tb::bot {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

date::local_days to_date_days(std::chrono::local_days day) {
    return date::local_days{date::days{static_cast<int>(day.time_since_epoch().count())}};
}

std::chrono::local_days from_date_days(date::local_days day) {
    return std::chrono::local_days{std::chrono::days{day.time_since_epoch().count()}};
}

date::time_zone const* find_zone(std::string const& name) {
    try {
        return date::locate_zone(name);
    } catch (std::runtime_error const&) {
        throw std::invalid_argument("unknown time zone \"" + name +
                                    "\" (a tz database name like Europe/London)");
    }
}

}  // namespace

WorkingCalendar::WorkingCalendar(SlaCalendarSettings const& settings)
    : zone_{find_zone(settings.timezone)},
      day_start_{settings.day_start},
      day_end_{settings.day_end} {
    for (auto const day : settings.workdays) workdays_.set(static_cast<std::size_t>(day));
    if (workdays_.none()) throw std::invalid_argument("a working calendar needs a work day");
    if (day_start_ < minutes{0} || day_end_ > std::chrono::hours{24} || day_end_ <= day_start_) {
        throw std::invalid_argument("working hours must end after they start, within one day");
    }
    for (auto const& holiday : settings.holidays) {
        std::chrono::year_month_day const ymd{std::chrono::year{holiday.year},
                                              std::chrono::month{holiday.month},
                                              std::chrono::day{holiday.day}};
        if (!ymd.ok()) throw std::invalid_argument("a holiday is not a calendar date");
        holidays_.push_back(std::chrono::local_days{ymd});
    }
    std::sort(holidays_.begin(), holidays_.end());
    holidays_.erase(std::unique(holidays_.begin(), holidays_.end()), holidays_.end());
}

bool WorkingCalendar::is_work_day(LocalDays day) const {
    auto const weekday = std::chrono::weekday{day}.c_encoding();
    return workdays_.test(weekday) && !std::binary_search(holidays_.begin(), holidays_.end(), day);
}

// Around a daylight-saving change a wall-clock time may not exist or may exist twice; either way
// the window keeps the longest reading, so no working time is lost.
WorkingCalendar::Window WorkingCalendar::window(LocalDays day) const {
    auto const midnight = to_date_days(day);
    auto const start = zone_->to_sys(midnight + day_start_, date::choose::earliest);
    auto const end = zone_->to_sys(midnight + day_end_, date::choose::latest);
    return {std::chrono::time_point_cast<milliseconds>(start),
            std::chrono::time_point_cast<milliseconds>(end)};
}

WorkingCalendar::LocalDays WorkingCalendar::local_day(Instant at) const {
    return from_date_days(date::floor<date::days>(zone_->to_local(at)));
}

Instant WorkingCalendar::add(Instant from, milliseconds working) const {
    if (working <= milliseconds{0}) return from;
    auto remaining = working;
    // Day by day: a day that is not worked costs one weekday test and a holiday lookup.
    for (auto day = local_day(from);; day += std::chrono::days{1}) {
        if (!is_work_day(day)) continue;
        auto const [start, end] = window(day);
        auto const begin = std::max(from, start);
        if (begin >= end) continue;
        if (remaining <= end - begin) return begin + remaining;
        remaining -= end - begin;
    }
}

Instant WorkingCalendar::add(Instant from, WorkingSpan span) const {
    return add(from, duration(span));
}

Instant WorkingCalendar::subtract(Instant to, milliseconds working) const {
    if (working <= milliseconds{0}) return to;
    auto remaining = working;
    for (auto day = local_day(to);; day -= std::chrono::days{1}) {
        if (!is_work_day(day)) continue;
        auto const [start, end] = window(day);
        auto const finish = std::min(to, end);
        if (finish <= start) continue;
        if (remaining <= finish - start) return finish - remaining;
        remaining -= finish - start;
    }
}

milliseconds WorkingCalendar::elapsed(Instant from, Instant to) const {
    milliseconds total{0};
    if (to <= from) return total;
    auto const last = local_day(to);
    for (auto day = local_day(from); day <= last; day += std::chrono::days{1}) {
        if (!is_work_day(day)) continue;
        auto const [start, end] = window(day);
        auto const begin = std::max(from, start);
        auto const finish = std::min(to, end);
        if (begin < finish) total += finish - begin;
    }
    return total;
}

minutes WorkingCalendar::between(Instant from, Instant to) const {
    return std::chrono::floor<minutes>(elapsed(from, to));
}

bool WorkingCalendar::is_working(Instant at) const {
    auto const day = local_day(at);
    if (!is_work_day(day)) return false;
    auto const [start, end] = window(day);
    return start <= at && at < end;
}

milliseconds WorkingCalendar::duration(WorkingSpan span) const noexcept {
    switch (span.unit) {
        case WorkingSpan::Unit::days:
            return span.amount * day_length();
        case WorkingSpan::Unit::hours:
            return std::chrono::hours{span.amount};
        case WorkingSpan::Unit::minutes:
            return minutes{span.amount};
    }
    return milliseconds{0};
}

std::string WorkingCalendar::local_text(Instant at) const {
    auto const local = date::make_zoned(zone_, std::chrono::floor<std::chrono::minutes>(at)).get_local_time();
    return date::format("%a %d %b %H:%M", local);
}

Instant WorkingCalendar::day_begins(Date day) const {
    auto const local = date::local_days{date::year{day.year} / date::month{day.month} / date::day{day.day}};
    return std::chrono::time_point_cast<std::chrono::milliseconds>(zone_->to_sys(local, date::choose::earliest));
}

Instant WorkingCalendar::day_ends(Date day) const {
    auto const local = date::local_days{date::year{day.year} / date::month{day.month} / date::day{day.day}} + date::days{1};
    return std::chrono::time_point_cast<std::chrono::milliseconds>(zone_->to_sys(local, date::choose::earliest));
}

Instant WorkingCalendar::local_instant(Date day, std::chrono::minutes time_of_day) const {
    auto const local = date::local_days{date::year{day.year} / date::month{day.month} / date::day{day.day}};
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        zone_->to_sys(local + time_of_day, date::choose::earliest));
}

bool WorkingCalendar::is_work_date(Date day) const {
    std::chrono::year_month_day const ymd{std::chrono::year{day.year}, std::chrono::month{day.month},
                                          std::chrono::day{day.day}};
    return is_work_day(std::chrono::local_days{ymd});
}

Date WorkingCalendar::local_date(Instant at) const {
    auto const local = date::make_zoned(zone_, at).get_local_time();
    date::year_month_day const ymd{date::floor<date::days>(local)};
    return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())};
}

}  // namespace tb::bot
