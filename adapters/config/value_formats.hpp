#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "bot/config/settings.hpp"

namespace tb::config {

// Slack ids: a kind letter and upper-case letters or digits ("C0PARTNER", "U0AGENT1", "S0SUPPORT").
// Names ("#login-iaa", "@alex") are refused because Slack events carry ids only.
bool is_channel_id(std::string_view text) noexcept;    // C… (public) or G… (private, older)
bool is_user_id(std::string_view text) noexcept;       // U… or W… (Enterprise Grid)
bool is_usergroup_id(std::string_view text) noexcept;  // S…

// "ticket" and ":ticket:" both give "ticket"; nothing when the name is empty or holds ':' or space.
std::optional<std::string> emoji_name(std::string_view text);

// A Zendesk tag: non-empty and without white space (Zendesk splits tags on spaces).
bool is_zendesk_tag(std::string_view text) noexcept;

// "2026-12-25": a real calendar date.
std::optional<bot::Date> parse_date(std::string_view text) noexcept;
std::string format_date(bot::Date date);

struct DayHours {
    std::chrono::minutes start;
    std::chrono::minutes end;
};

// "09:00-17:30": start before end; "24:00" is allowed as an end for round-the-clock teams.
std::optional<DayHours> parse_hours(std::string_view text) noexcept;
std::string format_hours(std::chrono::minutes start, std::chrono::minutes end);
// "09:30": a time of day from 00:00 to 23:59.
std::optional<std::chrono::minutes> parse_time_of_day(std::string_view text) noexcept;
std::string format_time_of_day(std::chrono::minutes at);

std::optional<bot::Weekday> parse_weekday(std::string_view text) noexcept;
std::string_view weekday_name(bot::Weekday day) noexcept;

// "500ms", "10s", "2m", "1h": a positive whole number and one unit.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept;
std::string format_duration(std::chrono::milliseconds duration);  // largest exact unit

// "2d", "4h", "30m": working days, hours or minutes; positive.
std::optional<bot::WorkingSpan> parse_span(std::string_view text) noexcept;
std::string format_span(bot::WorkingSpan span);

std::optional<bot::Priority> parse_priority(std::string_view text) noexcept;
std::string_view priority_name(bot::Priority priority) noexcept;

std::optional<bot::ThreadReplies> parse_thread_replies(std::string_view text) noexcept;
std::string_view thread_replies_name(bot::ThreadReplies replies) noexcept;

inline constexpr std::string_view kZoneinfoDir = "/usr/share/zoneinfo";

// True when `name` ("Europe/London") is a file of the tz database under `zoneinfo`. Only existence
// is checked; names that could leave the directory ("../", absolute paths) are refused.
bool timezone_exists(std::string_view name,
                     std::filesystem::path const& zoneinfo = std::filesystem::path{kZoneinfoDir});

}  // namespace tb::config
