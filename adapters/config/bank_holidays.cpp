#include "adapters/config/bank_holidays.hpp"

#include <fstream>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "adapters/config/value_formats.hpp"

namespace tb::config {
namespace {

using nlohmann::json;

BankHolidays failed(std::string problem) { return BankHolidays{{}, std::move(problem)}; }

std::string division_names(json const& root) {
    std::string names;
    for (auto const& [name, value] : root.items()) {
        if (value.is_object()) names += (names.empty() ? "" : ", ") + name;
    }
    return names.empty() ? "none" : names;
}

}  // namespace

BankHolidays parse_bank_holidays(std::string_view text, std::string_view division) {
    json root;
    try {
        root = json::parse(text);
    } catch (json::parse_error const& e) {
        // what() is "[json.exception.parse_error.101] parse error at line 3, …": keep the second
        // part.
        std::string_view why{e.what()};
        if (auto const cut = why.find("] "); cut != std::string_view::npos)
            why.remove_prefix(cut + 2);
        return failed("not valid JSON: " + std::string{why});
    }
    if (!root.is_object()) {
        return failed(
            "expected a JSON object of divisions, like https://www.gov.uk/bank-holidays.json");
    }
    auto const found = root.find(division);
    if (found == root.end() || !found->is_object()) {
        return failed("no division \"" + std::string{division} + "\"; it has " +
                      division_names(root));
    }
    auto const events = found->find("events");
    if (events == found->end() || !events->is_array()) {
        return failed("division \"" + std::string{division} + "\" has no list of events");
    }
    BankHolidays holidays;
    for (std::size_t i = 0; i < events->size(); ++i) {
        auto const& event = (*events)[i];
        auto const date = event.is_object() ? event.find("date") : event.end();
        auto const parsed = date != event.end() && date->is_string()
                                ? parse_date(date->get_ref<std::string const&>())
                                : std::nullopt;
        if (!parsed) {
            auto const where = "event " + std::to_string(i) + " of " + std::string{division};
            return failed(where + ": expected \"date\": a calendar date like \"2026-12-25\"");
        }
        holidays.dates.push_back(*parsed);
    }
    return holidays;
}

BankHolidays read_bank_holidays(std::filesystem::path const& file, std::string_view division) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return failed("not found");
    std::ifstream in{file, std::ios::binary};
    if (!in || std::filesystem::is_directory(file, ec)) return failed("cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_bank_holidays(text.str(), division);
}

}  // namespace tb::config
