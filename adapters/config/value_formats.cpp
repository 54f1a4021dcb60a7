#include "adapters/config/value_formats.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <system_error>
#include <utility>

namespace tb::config {
namespace {

using std::chrono::minutes;

bool is_upper_alnum(char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// A kind letter, then at least two upper-case letters or digits.
bool is_slack_id(std::string_view text, std::string_view kinds) noexcept {
    if (text.size() < 3 || kinds.find(text.front()) == std::string_view::npos) return false;
    for (char const c : text.substr(1)) {
        if (!is_upper_alnum(c)) return false;
    }
    return true;
}

bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Whole text as a non-negative decimal number, no sign and no spaces.
template <class Int>
std::optional<Int> whole_number(std::string_view text) noexcept {
    if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
    Int value{};
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<minutes> time_of_day(std::string_view text) noexcept {
    if (text.size() != 5 || text[2] != ':') return std::nullopt;
    auto const hours = whole_number<int>(text.substr(0, 2));
    auto const mins = whole_number<int>(text.substr(3, 2));
    if (!hours || !mins || *mins > 59 || *hours > 24) return std::nullopt;
    if (*hours == 24 && *mins != 0) return std::nullopt;
    return minutes{*hours * 60 + *mins};
}

std::string two_digits(long value) {
    auto text = std::to_string(value);
    return text.size() < 2 ? "0" + text : text;
}

template <class Enum, std::size_t N>
std::optional<Enum> find_by_name(std::array<std::pair<std::string_view, Enum>, N> const& names,
                                 std::string_view text) noexcept {
    for (auto const& [name, value] : names) {
        if (name == text) return value;
    }
    return std::nullopt;
}

template <class Enum, std::size_t N>
std::string_view name_of(std::array<std::pair<std::string_view, Enum>, N> const& names,
                         Enum value) noexcept {
    for (auto const& [name, candidate] : names) {
        if (candidate == value) return name;
    }
    return "?";
}

constexpr std::array<std::pair<std::string_view, bot::Weekday>, 7> kWeekdays{{
    {"mon", bot::Weekday::mon},
    {"tue", bot::Weekday::tue},
    {"wed", bot::Weekday::wed},
    {"thu", bot::Weekday::thu},
    {"fri", bot::Weekday::fri},
    {"sat", bot::Weekday::sat},
    {"sun", bot::Weekday::sun},
}};

constexpr std::array<std::pair<std::string_view, bot::Priority>, 4> kPriorities{{
    {"low", bot::Priority::low},
    {"normal", bot::Priority::normal},
    {"high", bot::Priority::high},
    {"urgent", bot::Priority::urgent},
}};

constexpr std::array<std::pair<std::string_view, bot::ThreadReplies>, 3> kThreadReplies{{
    {"public", bot::ThreadReplies::public_reply},
    {"internal", bot::ThreadReplies::internal_note},
    {"off", bot::ThreadReplies::off},
}};

constexpr std::array<std::pair<std::string_view, bot::WorkingSpan::Unit>, 3> kSpanUnits{{
    {"d", bot::WorkingSpan::Unit::days},
    {"h", bot::WorkingSpan::Unit::hours},
    {"m", bot::WorkingSpan::Unit::minutes},
}};

constexpr std::array<std::pair<std::string_view, std::int64_t>, 4> kDurationUnits{{
    {"h", 3'600'000},
    {"m", 60'000},
    {"s", 1'000},
    {"ms", 1},
}};

// Splits "500ms" into 500 and "ms".
std::optional<std::pair<std::int64_t, std::string_view>> amount_and_unit(
    std::string_view text) noexcept {
    auto const digits = text.find_first_not_of("0123456789");
    if (digits == 0 || digits == std::string_view::npos) return std::nullopt;
    auto const amount = whole_number<std::int64_t>(text.substr(0, digits));
    if (!amount || *amount <= 0) return std::nullopt;
    return std::pair{*amount, text.substr(digits)};
}

}  // namespace

bool is_channel_id(std::string_view text) noexcept { return is_slack_id(text, "CG"); }
bool is_user_id(std::string_view text) noexcept { return is_slack_id(text, "UW"); }
bool is_usergroup_id(std::string_view text) noexcept { return is_slack_id(text, "S"); }

std::optional<std::string> emoji_name(std::string_view text) {
    if (text.size() >= 2 && text.front() == ':' && text.back() == ':') {
        text = text.substr(1, text.size() - 2);
    }
    if (text.empty()) return std::nullopt;
    for (char const c : text) {
        if (c == ':' || is_space(c)) return std::nullopt;
    }
    return std::string{text};
}

bool is_zendesk_tag(std::string_view text) noexcept {
    if (text.empty()) return false;
    for (char const c : text) {
        if (is_space(c)) return false;
    }
    return true;
}

std::optional<bot::Date> parse_date(std::string_view text) noexcept {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    auto const year = whole_number<int>(text.substr(0, 4));
    auto const month = whole_number<unsigned>(text.substr(5, 2));
    auto const day = whole_number<unsigned>(text.substr(8, 2));
    if (!year || !month || !day) return std::nullopt;
    std::chrono::year_month_day const ymd{std::chrono::year{*year}, std::chrono::month{*month},
                                          std::chrono::day{*day}};
    if (!ymd.ok()) return std::nullopt;
    return bot::Date{*year, *month, *day};
}

std::string format_date(bot::Date date) {
    std::array<char, 32> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%04d-%02u-%02u", date.year, date.month, date.day);
    return buffer.data();
}

std::optional<DayHours> parse_hours(std::string_view text) noexcept {
    auto const dash = text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto const start = time_of_day(text.substr(0, dash));
    auto const end = time_of_day(text.substr(dash + 1));
    if (!start || !end || *start >= minutes{24 * 60} || *end <= *start) return std::nullopt;
    return DayHours{*start, *end};
}

std::string format_hours(minutes start, minutes end) {
    return format_time_of_day(start) + "-" + format_time_of_day(end);
}

std::optional<minutes> parse_time_of_day(std::string_view text) noexcept {
    auto const at = time_of_day(text);
    if (!at || *at >= minutes{24 * 60}) return std::nullopt;
    return at;
}

std::string format_time_of_day(minutes at) {
    return two_digits(at.count() / 60) + ":" + two_digits(at.count() % 60);
}

std::optional<bot::Weekday> parse_weekday(std::string_view text) noexcept {
    return find_by_name(kWeekdays, text);
}

std::string_view weekday_name(bot::Weekday day) noexcept { return name_of(kWeekdays, day); }

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept {
    auto const parsed = amount_and_unit(text);
    if (!parsed) return std::nullopt;
    auto const [amount, unit] = *parsed;
    auto const factor = find_by_name(kDurationUnits, unit);
    if (!factor || amount > std::numeric_limits<std::int64_t>::max() / *factor) {
        return std::nullopt;
    }
    return std::chrono::milliseconds{amount * *factor};
}

std::string format_duration(std::chrono::milliseconds duration) {
    auto const count = duration.count();
    for (auto const& [unit, factor] : kDurationUnits) {
        if (count != 0 && count % factor == 0)
            return std::to_string(count / factor) + std::string{unit};
    }
    return std::to_string(count) + "ms";
}

std::optional<bot::WorkingSpan> parse_span(std::string_view text) noexcept {
    auto const parsed = amount_and_unit(text);
    if (!parsed) return std::nullopt;
    auto const unit = find_by_name(kSpanUnits, parsed->second);
    if (!unit) return std::nullopt;
    return bot::WorkingSpan{parsed->first, *unit};
}

std::string format_span(bot::WorkingSpan span) {
    return std::to_string(span.amount) + std::string{name_of(kSpanUnits, span.unit)};
}

std::optional<bot::Priority> parse_priority(std::string_view text) noexcept {
    return find_by_name(kPriorities, text);
}

std::string_view priority_name(bot::Priority priority) noexcept {
    return name_of(kPriorities, priority);
}

std::optional<bot::ThreadReplies> parse_thread_replies(std::string_view text) noexcept {
    return find_by_name(kThreadReplies, text);
}

std::string_view thread_replies_name(bot::ThreadReplies replies) noexcept {
    return name_of(kThreadReplies, replies);
}

bool timezone_exists(std::string_view name, std::filesystem::path const& zoneinfo) {
    if (name.empty() || name.front() == '/') return false;
    // No '.': it keeps out "../" and the database's own files (zone.tab, tzdata.zi).
    for (char const c : name) {
        bool const allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                             (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '-' || c == '+';
        if (!allowed) return false;
    }
    std::error_code ec;
    return std::filesystem::is_regular_file(zoneinfo / std::filesystem::path{name}, ec);
}

}  // namespace tb::config
