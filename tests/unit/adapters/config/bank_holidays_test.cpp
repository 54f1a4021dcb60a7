#include "adapters/config/bank_holidays.hpp"

#include <string>

#include <doctest/doctest.h>

using tb::bot::Date;
using tb::config::parse_bank_holidays;
using tb::config::read_bank_holidays;

namespace {

constexpr char const* kFixture =
    TB_SOURCE_DIR "/tests/unit/adapters/config/fixtures/bank-holidays.json";

bool says(tb::config::BankHolidays const& holidays, std::string_view part) {
    return holidays.problem.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("config: the UK government's bank holidays file gives the dates of one division") {
    auto const england = read_bank_holidays(kFixture, "england-and-wales");
    REQUIRE(england.ok());
    REQUIRE(england.dates.size() == 10);
    CHECK(england.dates.front() == Date{2025, 12, 25});
    CHECK(england.dates.back() == Date{2026, 12, 28});

    auto const scotland = read_bank_holidays(kFixture, "scotland");
    REQUIRE(scotland.ok());
    CHECK(scotland.dates[1] == Date{2026, 1, 2});  // 2nd January is a Scottish holiday only
    CHECK(read_bank_holidays(kFixture, "northern-ireland").dates[1] == Date{2026, 3, 17});
}

TEST_CASE("config: a bank holidays file that cannot be used says why") {
    CHECK(says(read_bank_holidays(TB_SOURCE_DIR "/no/such/file.json", "scotland"), "not found"));
    CHECK(says(read_bank_holidays(TB_SOURCE_DIR "/tests", "scotland"), "cannot be read"));

    auto const unknown = read_bank_holidays(kFixture, "wales");
    CHECK(says(unknown, "no division \"wales\""));
    CHECK(says(unknown, "england-and-wales, northern-ireland, scotland"));

    CHECK(says(parse_bank_holidays("{\"scotland\": ", "scotland"), "not valid JSON: parse error"));
    CHECK(says(parse_bank_holidays("[]", "scotland"), "expected a JSON object of divisions"));
    CHECK(says(parse_bank_holidays(R"({"scotland": {"events": 3}})", "scotland"),
               "no list of events"));
    CHECK(says(parse_bank_holidays(
                   R"({"scotland": {"events": [{"date": "2026-01-01"}, {"date": "2026-02-30"}]}})",
                   "scotland"),
               "event 1 of scotland: expected \"date\""));
    CHECK(says(parse_bank_holidays(R"({"scotland": {"events": [{"title": "x"}]}})", "scotland"),
               "event 0"));
    CHECK(parse_bank_holidays(R"({"scotland": {"events": []}})", "scotland").ok());
}
