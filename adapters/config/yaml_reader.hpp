#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "adapters/config/settings_loader.hpp"
#include "bot/config/settings.hpp"

namespace tb::config {

// A value of the document with where it is: its dotted key path and its 1-based line.
struct Field {
    YAML::Node node;
    std::string path;
    int line = 0;
};

struct KeyReader {
    std::string_view key;
    std::function<void(Field const&)> read;
};

// Reads typed values out of a parsed YAML document, collecting a problem for each value that is
// missing, of the wrong type or out of range instead of stopping at the first one. Readers return
// nothing after reporting, so callers keep the default.
class YamlReader {
public:
    void report(Field const& at, std::string message);
    std::size_t problem_count() const noexcept { return problems_.size(); }
    std::vector<ConfigProblem> take_problems() { return std::move(problems_); }

    // Dispatches each entry of a map to the reader of its key. Reports a value that is not a map,
    // duplicate keys and unknown keys (naming the known ones). An empty value counts as {}.
    void read_map(Field const& map, std::initializer_list<KeyReader> keys);
    // Calls `read_item` for each item of a list. An empty value counts as [].
    void read_list(Field const& list, std::function<void(Field const&)> const& read_item);

    std::optional<std::string> string(Field const& field);  // any non-empty scalar
    std::optional<std::int64_t> integer(Field const& field, std::int64_t min, std::int64_t max);
    std::optional<double> number(Field const& field);
    std::optional<bool> boolean(Field const& field);  // true or false
    std::optional<std::chrono::milliseconds> duration(Field const& field);
    std::optional<bot::WorkingSpan> span(Field const& field);
    // A list of strings, each also checked by `valid` (when given), which names what it expects.
    std::optional<std::vector<std::string>> strings(
        Field const& field, std::function<bool(std::string_view)> const& valid = {},
        std::string_view expected = {});
    std::optional<bot::Priority> priority(Field const& field);

private:
    // A scalar written as a plain (unquoted) YAML number.
    std::optional<std::string> number_text(Field const& field);

    std::vector<ConfigProblem> problems_;
};

std::string child_path(std::string_view parent, std::string_view key);
std::string item_path(std::string_view parent, std::size_t index);

// How a value looks in a message: `"text"` (shortened when long), "a map", "a list", "nothing".
std::string describe(YAML::Node const& node);

}  // namespace tb::config
