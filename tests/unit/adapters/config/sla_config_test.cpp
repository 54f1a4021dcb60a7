#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "adapters/config/effective_config.hpp"
#include "adapters/config/settings_loader.hpp"

using tb::bot::Date;
using tb::bot::WorkingSpan;
using tb::config::load_settings_file;
using tb::config::load_settings_text;
using tb::config::LoadedSettings;

namespace {

std::filesystem::path const kFixtures{TB_SOURCE_DIR "/tests/unit/adapters/config/fixtures"};

std::string all_problems(LoadedSettings const& loaded) {
    std::string text;
    for (auto const& problem : loaded.problems) {
        text += tb::config::format_problem("test.yaml", problem) + "\n";
    }
    return text;
}

// Exactly one problem, at `key` and `line`, whose message mentions `says`.
void check_single_problem(std::string_view yaml, std::string_view key, int line,
                          std::string_view says) {
    auto const loaded = load_settings_text(yaml, kFixtures);
    INFO("config:\n", yaml, "problems:\n", all_problems(loaded));
    REQUIRE(loaded.problems.size() == 1);
    CHECK(loaded.problems[0].key == key);
    CHECK(loaded.problems[0].line == line);
    CHECK(loaded.problems[0].message.find(says) != std::string::npos);
}

// A scratch directory, removed when the test ends.
struct TempDir {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("tb-sla-config-" + std::to_string(std::random_device{}()));
    TempDir() { std::filesystem::create_directories(path); }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(TempDir const&) = delete;
    TempDir& operator=(TempDir const&) = delete;
};

}  // namespace

TEST_CASE("config: holidays_file adds its division's dates to the holidays, once each") {
    auto const loaded = load_settings_text(R"(sla:
  calendar:
    holidays: [2026-12-25, 2027-06-01]
    holidays_file: bank-holidays.json
)",
                                           kFixtures);
    INFO(all_problems(loaded));
    REQUIRE(loaded.ok());
    auto const& calendar = loaded.settings.sla.calendar;
    CHECK(calendar.holidays.size() == 11);  // 10 in the file, 2026-12-25 in both
    CHECK(calendar.holidays.front() == Date{2025, 12, 25});
    CHECK(calendar.holidays.back() == Date{2027, 6, 1});
    CHECK(calendar.holidays_file == (kFixtures / "bank-holidays.json").string());
    CHECK(calendar.holidays_division == "england-and-wales");

    auto const scotland = load_settings_text(
        "sla:\n  calendar: { holidays_division: scotland, holidays_file: bank-holidays.json }\n",
        kFixtures);
    REQUIRE(scotland.ok());
    auto const& days = scotland.settings.sla.calendar.holidays;
    CHECK(std::find(days.begin(), days.end(), Date{2026, 11, 30}) != days.end());
    CHECK(std::find(days.begin(), days.end(), Date{2026, 4, 6}) == days.end());
}

TEST_CASE("config: a relative holidays_file is found beside the config file") {
    TempDir const dir;
    std::filesystem::copy_file(kFixtures / "bank-holidays.json", dir.path / "holidays.json");
    std::ofstream{dir.path / "ticketbridge.yaml"}
        << "sla:\n  calendar:\n    holidays_file: holidays.json\n";
    auto const loaded = load_settings_file(dir.path / "ticketbridge.yaml");
    INFO(all_problems(loaded));
    REQUIRE(loaded.ok());
    CHECK(loaded.settings.sla.calendar.holidays.size() == 10);
    CHECK(loaded.settings.sla.calendar.holidays_file == (dir.path / "holidays.json").string());
}

TEST_CASE("config: a holidays file that cannot be used is a problem naming the file") {
    TempDir const dir;
    std::ofstream{dir.path / "broken.json"} << "{\"england-and-wales\": {\"events\": [}";
    auto const broken = (dir.path / "broken.json").string();
    check_single_problem("sla:\n  calendar:\n    holidays_file: missing.json\n",
                         "sla.calendar.holidays_file", 3,
                         "holidays file " + (kFixtures / "missing.json").string() + ": not found");
    check_single_problem("sla:\n  calendar:\n    holidays_file: " + broken + "\n",
                         "sla.calendar.holidays_file", 3,
                         "holidays file " + broken + ": not valid JSON");
    check_single_problem(
        "sla:\n  calendar:\n    holidays_file: bank-holidays.json\n    holidays_division: wales\n",
        "sla.calendar.holidays_file", 3, "no division \"wales\"; it has england-and-wales");
    check_single_problem("sla:\n  calendar:\n    holidays_division: scotland\n",
                         "sla.calendar.holidays_division", 3, "only with holidays_file");
}

TEST_CASE("config: resolution_pauses lists the statuses that stop the resolution clock") {
    auto const defaults = load_settings_text("");
    CHECK(defaults.settings.sla.resolution_pauses == std::vector<std::string>{"pending", "hold"});
    auto const hold_only = load_settings_text("sla: { resolution_pauses: [hold] }\n");
    CHECK(hold_only.settings.sla.resolution_pauses == std::vector<std::string>{"hold"});
    auto const none = load_settings_text("sla: { resolution_pauses: [] }\n");
    REQUIRE(none.ok());
    CHECK(none.settings.sla.resolution_pauses.empty());

    check_single_problem("sla:\n  resolution_pauses: [pending, open]\n", "sla.resolution_pauses[1]",
                         2, "expected pending or hold; got \"open\"");
    check_single_problem("sla:\n  resolution_pauses: [hold, hold]\n", "sla.resolution_pauses", 2,
                         "listed twice");
}

TEST_CASE("config: segments carry their own deadlines and targets") {
    auto const loaded = load_settings_text(R"(sla:
  segments:
    - name: department
      tags: [department, dept]
      resolution: 5d
      targets: { resolution: 0.70 }
    - { name: partners, organization_ids: [360001234567], first_reply: 4h }
)");
    INFO(all_problems(loaded));
    REQUIRE(loaded.ok());
    auto const& segments = loaded.settings.sla.segments;
    REQUIRE(segments.size() == 2);
    CHECK(segments[0].name == "department");
    CHECK(segments[0].tags == std::vector<std::string>{"department", "dept"});
    CHECK(segments[0].resolution == WorkingSpan{5, WorkingSpan::Unit::days});
    CHECK_FALSE(segments[0].first_reply.has_value());
    CHECK(segments[0].resolution_target == doctest::Approx(0.70));
    CHECK_FALSE(segments[0].first_reply_target.has_value());
    CHECK(segments[1].organization_ids == std::vector<std::int64_t>{360001234567});
    CHECK(segments[1].first_reply == WorkingSpan{4, WorkingSpan::Unit::hours});

    auto const rendered = tb::config::render_effective_config(loaded.settings, tb::bot::Secrets{});
    INFO(rendered);
    CHECK(rendered.find("resolution_pauses: [pending, hold]") != std::string::npos);
    CHECK(rendered.find("organization_ids: [360001234567]") != std::string::npos);
    CHECK(rendered.find("resolution: 0.7\n") != std::string::npos);
}

TEST_CASE("config: a segment that is wrong names its key and line") {
    struct Row {
        std::string_view yaml;
        std::string_view key;
        int line;
        std::string_view says;
    };
    Row const rows[] = {
        {"sla:\n  segments:\n    - { tags: [dept] }\n", "sla.segments[0]", 3,
         "missing required key name"},
        {"sla:\n  segments:\n    - { name: dept }\n", "sla.segments[0]", 3,
         "needs tags, organization_ids or both"},
        {"sla:\n  segments:\n    - { name: a, tags: [x] }\n    - { name: a, tags: [y] }\n",
         "sla.segments[1].name", 4, "duplicate segment name a (also sla.segments[0].name)"},
        {"sla:\n  segments:\n    - { name: a, organization_ids: [0] }\n",
         "sla.segments[0].organization_ids[0]", 3, "at least 1"},
        {"sla:\n  segments:\n    - { name: a, tags: [two words] }\n", "sla.segments[0].tags[0]", 3,
         "without spaces"},
        {"sla:\n  segments:\n    - { name: a, tags: [x], resolution: 5 }\n",
         "sla.segments[0].resolution", 3, "like 2d, 4h or 30m"},
        {"sla:\n  segments:\n    - { name: a, tags: [x], targets: { resolution: 70 } }\n",
         "sla.segments[0].targets.resolution", 3, "fraction"},
        {"sla:\n  segments:\n    - { name: a, tags: [x], pending_too_long: 1d }\n",
         "sla.segments[0].pending_too_long", 3, "unknown key"},
        {"sla:\n  segments: { name: a }\n", "sla.segments", 2, "expected a list"},
    };
    for (auto const& row : rows) check_single_problem(row.yaml, row.key, row.line, row.says);
}
