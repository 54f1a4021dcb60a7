#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bot/config/settings.hpp"

namespace tb::config {

// The dates of one division ("england-and-wales", "scotland", "northern-ireland") of a file in
// the format of the UK government's https://www.gov.uk/bank-holidays.json, so a team can use the
// official file as it is published.
struct BankHolidays {
    std::vector<bot::Date> dates;
    std::string problem;  // empty when the file was read; else what is wrong with it
    bool ok() const noexcept { return problem.empty(); }
};

BankHolidays parse_bank_holidays(std::string_view json, std::string_view division);
BankHolidays read_bank_holidays(std::filesystem::path const& file, std::string_view division);

}  // namespace tb::config
