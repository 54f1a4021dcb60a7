#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "adapters/config/bank_holidays.hpp"
#include "adapters/config/sections.hpp"
#include "adapters/config/value_formats.hpp"

namespace tb::config {
namespace {

void read_timezone(YamlReader& reader, Field const& field, std::string& timezone) {
    auto name = reader.string(field);
    if (!name) return;
    if (!timezone_exists(*name)) {
        reader.report(field, "unknown time zone " + describe(field.node) + ": no such file under " +
                                 std::string{kZoneinfoDir} +
                                 " (a tz name like Europe/London; is "
                                 "tzdata installed?)");
        return;
    }
    timezone = std::move(*name);
}

void read_workdays(YamlReader& reader, Field const& field, std::vector<bot::Weekday>& workdays) {
    if (!field.node.IsSequence()) {
        reader.report(field, "expected a list of days like [mon, tue, wed, thu, fri]; got " +
                                 describe(field.node));
        return;
    }
    std::vector<bot::Weekday> days;
    std::set<bot::Weekday> seen;
    reader.read_list(field, [&](Field const& item) {
        auto const text = reader.string(item);
        if (!text) return;
        auto const day = parse_weekday(*text);
        if (!day) {
            reader.report(item, "expected one of mon, tue, wed, thu, fri, sat, sun; got " +
                                    describe(item.node));
        } else if (!seen.insert(*day).second) {
            reader.report(item, "day listed twice: " + *text);
        } else {
            days.push_back(*day);
        }
    });
    // With no working day no deadline would ever fall due.
    if (field.node.size() == 0) reader.report(field, "must list at least one working day");
    workdays = std::move(days);
}

void read_hours(YamlReader& reader, Field const& field, bot::SlaCalendarSettings& calendar) {
    auto const text = reader.string(field);
    if (!text) return;
    auto const hours = parse_hours(*text);
    if (!hours) {
        reader.report(field,
                      "expected working hours like \"09:00-17:30\" (24-hour clock, end "
                      "after start); got " +
                          describe(field.node));
        return;
    }
    calendar.day_start = hours->start;
    calendar.day_end = hours->end;
}

void read_holidays(YamlReader& reader, Field const& field, std::vector<bot::Date>& holidays) {
    reader.read_list(field, [&](Field const& item) {
        auto const text = reader.string(item);
        if (!text) return;
        if (auto const date = parse_date(*text)) {
            holidays.push_back(*date);
        } else {
            reader.report(item,
                          "expected a calendar date like 2026-12-25; got " + describe(item.node));
        }
    });
}

// A relative name is taken from the config file's directory; the settings keep the path read.
void read_holidays_file(YamlReader& reader, Field const& field,
                        std::filesystem::path const& config_dir,
                        bot::SlaCalendarSettings& calendar) {
    auto const name = reader.string(field);
    if (!name) return;
    auto const path = (config_dir / std::filesystem::path{*name}).lexically_normal();
    auto const file = read_bank_holidays(path, calendar.holidays_division);
    if (!file.ok()) {
        reader.report(field, "holidays file " + path.string() + ": " + file.problem);
        return;
    }
    calendar.holidays_file = path.string();
    calendar.holidays.insert(calendar.holidays.end(), file.dates.begin(), file.dates.end());
}

void read_calendar(YamlReader& reader, Field const& field, std::filesystem::path const& config_dir,
                   bot::SlaCalendarSettings& calendar) {
    std::optional<Field> file;
    std::optional<Field> division;
    reader.read_map(
        field, {
                   {"timezone",
                    [&](Field const& value) { read_timezone(reader, value, calendar.timezone); }},
                   {"workdays",
                    [&](Field const& value) { read_workdays(reader, value, calendar.workdays); }},
                   {"hours", [&](Field const& value) { read_hours(reader, value, calendar); }},
                   {"holidays",
                    [&](Field const& value) { read_holidays(reader, value, calendar.holidays); }},
                   {"holidays_file", [&](Field const& value) { file = value; }},
                   {"holidays_division", [&](Field const& value) { division = value; }},
               });
    // The division is needed to read the file, whichever of the two keys comes first.
    if (division) {
        if (auto name = reader.string(*division)) calendar.holidays_division = std::move(*name);
        if (!file) reader.report(*division, "is used only with holidays_file; set that too");
    }
    if (file) read_holidays_file(reader, *file, config_dir, calendar);
    auto& holidays = calendar.holidays;
    std::sort(holidays.begin(), holidays.end());
    holidays.erase(std::unique(holidays.begin(), holidays.end()), holidays.end());
}

void read_target(YamlReader& reader, Field const& field, double& target) {
    if (auto const value = read_fraction(reader, field)) target = *value;
}

void read_span(YamlReader& reader, Field const& field, bot::WorkingSpan& span) {
    if (auto const value = reader.span(field)) span = *value;
}

void read_targets(YamlReader& reader, Field const& field, bot::SlaTargets& targets) {
    auto const first_reply = [&](Field const& value) {
        read_target(reader, value, targets.first_reply);
    };
    auto const resolution = [&](Field const& value) {
        read_target(reader, value, targets.resolution);
    };
    reader.read_map(field, {{"first_reply", first_reply}, {"resolution", resolution}});
}

bool is_pausing_status(std::string_view status) noexcept {
    return status == "pending" || status == "hold";
}

void read_pauses(YamlReader& reader, Field const& field, std::vector<std::string>& pauses) {
    auto statuses = reader.strings(field, is_pausing_status, "pending or hold");
    if (!statuses) return;
    if (std::set<std::string>{statuses->begin(), statuses->end()}.size() != statuses->size()) {
        reader.report(field, "a status is listed twice");
        return;
    }
    pauses = std::move(*statuses);
}

void read_digest_time(YamlReader& reader, Field const& field, std::chrono::minutes& at) {
    auto const text = reader.string(field);
    if (!text) return;
    if (auto const parsed = parse_time_of_day(*text)) {
        at = *parsed;
    } else {
        reader.report(field, "expected a time of day like \"09:30\" (24-hour clock); got " + describe(field.node));
    }
}

}  // namespace

std::optional<double> read_fraction(YamlReader& reader, Field const& field) {
    auto const value = reader.number(field);
    if (!value) return std::nullopt;
    if (*value <= 0.0 || *value > 1.0) {
        reader.report(field, "expected a fraction above 0 and at most 1, like 0.80; got " +
                                 field.node.Scalar());
        return std::nullopt;
    }
    return value;
}

void read_sla(YamlReader& reader, Field const& field, std::filesystem::path const& config_dir,
              bot::SlaSettings& sla) {
    reader.read_map(
        field,
        {
            {"calendar",
             [&](Field const& value) { read_calendar(reader, value, config_dir, sla.calendar); }},
            {"first_reply", [&](Field const& value) { read_span(reader, value, sla.first_reply); }},
            {"resolution", [&](Field const& value) { read_span(reader, value, sla.resolution); }},
            {"pending_too_long",
             [&](Field const& value) { read_span(reader, value, sla.pending_too_long); }},
            {"warn_before", [&](Field const& value) { read_span(reader, value, sla.warn_before); }},
            {"targets", [&](Field const& value) { read_targets(reader, value, sla.targets); }},
            {"resolution_pauses",
             [&](Field const& value) { read_pauses(reader, value, sla.resolution_pauses); }},
            {"segments",
             [&](Field const& value) { read_sla_segments(reader, value, sla.segments); }},
            {"pending_digest_at",
             [&](Field const& value) { read_digest_time(reader, value, sla.pending_digest_at); }},
            {"pending_note",
             [&](Field const& value) {
                 if (auto note = reader.string(value)) sla.pending_note = std::move(*note);
             }},
            {"pending_auto_solve",
             [&](Field const& value) {
                 if (auto const on = reader.boolean(value)) sla.pending_auto_solve = *on;
             }},
        });
}

}  // namespace tb::config
