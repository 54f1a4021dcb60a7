#include "adapters/config/value_formats.hpp"

#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using tb::bot::WorkingSpan;
namespace config = tb::config;

TEST_CASE("config: Slack ids are told from names by their kind letter and case") {
    CHECK(config::is_channel_id("C0PARTNER"));
    CHECK(config::is_channel_id("G012AB3CD"));
    CHECK_FALSE(config::is_channel_id("U0AGENT1"));
    CHECK_FALSE(config::is_channel_id("#login-iaa"));
    CHECK_FALSE(config::is_channel_id("C0partner"));
    CHECK_FALSE(config::is_channel_id("C"));
    CHECK(config::is_user_id("U0AGENT1"));
    CHECK(config::is_user_id("W012AB3CD"));
    CHECK_FALSE(config::is_user_id("@alex"));
    CHECK(config::is_usergroup_id("S0SUPPORT"));
    CHECK_FALSE(config::is_usergroup_id("U0SUPPORT"));
}

TEST_CASE("config: emoji names lose surrounding colons and may hold no others") {
    CHECK(config::emoji_name("ticket") == "ticket");
    CHECK(config::emoji_name(":ticket:") == "ticket");
    CHECK(config::emoji_name("+1") == "+1");
    CHECK_FALSE(config::emoji_name(":ticket").has_value());
    CHECK_FALSE(config::emoji_name("::").has_value());
    CHECK_FALSE(config::emoji_name("").has_value());
    CHECK_FALSE(config::emoji_name("white check mark").has_value());
    CHECK_FALSE(config::emoji_name("thumbsup::skin-tone-2").has_value());
}

TEST_CASE("config: dates must exist in the calendar") {
    CHECK(config::parse_date("2026-12-25") == tb::bot::Date{2026, 12, 25});
    CHECK(config::parse_date("2028-02-29").has_value());
    CHECK_FALSE(config::parse_date("2026-02-29").has_value());
    CHECK_FALSE(config::parse_date("2026-13-01").has_value());
    CHECK_FALSE(config::parse_date("2026-1-1").has_value());
    CHECK_FALSE(config::parse_date("25/12/2026").has_value());
    CHECK(config::format_date({2027, 1, 1}) == "2027-01-01");
}

TEST_CASE("config: working hours run forward within one day") {
    auto const hours = config::parse_hours("09:00-17:30");
    REQUIRE(hours.has_value());
    CHECK(hours->start == 9h);
    CHECK(hours->end == 17h + 30min);
    CHECK(config::parse_hours("00:00-24:00").has_value());
    CHECK_FALSE(config::parse_hours("17:30-09:00").has_value());
    CHECK_FALSE(config::parse_hours("09:00-09:00").has_value());
    CHECK_FALSE(config::parse_hours("24:00-24:00").has_value());
    CHECK_FALSE(config::parse_hours("09:00-24:30").has_value());
    CHECK_FALSE(config::parse_hours("9:00-17:00").has_value());
    CHECK_FALSE(config::parse_hours("09:00").has_value());
    CHECK(config::format_hours(9h, 17h + 30min) == "09:00-17:30");
}

TEST_CASE("config: durations take one unit and print in the largest exact one") {
    CHECK(config::parse_duration("500ms") == 500ms);
    CHECK(config::parse_duration("10s") == 10s);
    CHECK(config::parse_duration("2m") == 2min);
    CHECK(config::parse_duration("1h") == 1h);
    CHECK_FALSE(config::parse_duration("0s").has_value());
    CHECK_FALSE(config::parse_duration("10").has_value());
    CHECK_FALSE(config::parse_duration("s").has_value());
    CHECK_FALSE(config::parse_duration("-1s").has_value());
    CHECK_FALSE(config::parse_duration("1.5s").has_value());
    CHECK_FALSE(config::parse_duration("99999999999999999h").has_value());
    CHECK(config::format_duration(10s) == "10s");
    CHECK(config::format_duration(1min) == "1m");
    CHECK(config::format_duration(1500ms) == "1500ms");
    CHECK(config::format_duration(2h) == "2h");
}

TEST_CASE("config: working spans are positive days, hours or minutes") {
    CHECK(config::parse_span("2d") == WorkingSpan{2, WorkingSpan::Unit::days});
    CHECK(config::parse_span("4h") == WorkingSpan{4, WorkingSpan::Unit::hours});
    CHECK(config::parse_span("30m") == WorkingSpan{30, WorkingSpan::Unit::minutes});
    CHECK_FALSE(config::parse_span("0d").has_value());
    CHECK_FALSE(config::parse_span("2w").has_value());
    CHECK_FALSE(config::parse_span("2").has_value());
    CHECK_FALSE(config::parse_span("2ms").has_value());
    CHECK(config::format_span({5, WorkingSpan::Unit::days}) == "5d");
}

TEST_CASE("config: a time zone must be a file of the tz database, and nothing outside it") {
    CHECK(config::timezone_exists("Europe/London"));
    CHECK(config::timezone_exists("UTC"));
    CHECK_FALSE(config::timezone_exists("Europe/Lodnon"));
    CHECK_FALSE(config::timezone_exists("Europe"));  // a directory
    CHECK_FALSE(config::timezone_exists("zone.tab"));
    CHECK_FALSE(config::timezone_exists("/etc/passwd"));

    auto const root = std::filesystem::temp_directory_path() / "tb_config_zoneinfo_test";
    std::filesystem::create_directories(root / "Test");
    std::ofstream{root / "Test" / "Zone"} << "TZif";
    std::ofstream{root / "secret"} << "x";
    auto const zoneinfo = root / "Test";
    CHECK(config::timezone_exists("Zone", zoneinfo));
    CHECK_FALSE(config::timezone_exists("../secret", zoneinfo));
    std::filesystem::remove_all(root);
}
