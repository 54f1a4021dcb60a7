#include "adapters/config/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <system_error>
#include <utility>

#include "adapters/config/value_formats.hpp"

namespace tb::config {
namespace {

constexpr std::size_t kLongestQuotedValue = 40;

int line_of(YAML::Node const& node, int fallback) {
    auto const mark = node.Mark();
    return mark.is_null() ? fallback : mark.line + 1;
}

}  // namespace

std::string child_path(std::string_view parent, std::string_view key) {
    if (parent.empty()) return std::string{key};
    return std::string{parent} + "." + std::string{key};
}

std::string item_path(std::string_view parent, std::size_t index) {
    return std::string{parent} + "[" + std::to_string(index) + "]";
}

std::string describe(YAML::Node const& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map:
            return "a map";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Scalar: {
            auto const& text = node.Scalar();
            if (text.size() <= kLongestQuotedValue) return "\"" + text + "\"";
            auto cut = kLongestQuotedValue;
            // Cut before a UTF-8 continuation byte, not inside a character.
            while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
            return "\"" + text.substr(0, cut) + "…\"";
        }
        default:
            return "nothing";
    }
}

void YamlReader::report(Field const& at, std::string message) {
    problems_.push_back(ConfigProblem{at.path, at.line, std::move(message)});
}

void YamlReader::read_map(Field const& map, std::initializer_list<KeyReader> keys) {
    if (map.node.IsNull()) return;
    if (!map.node.IsMap()) {
        report(map, "expected a map; got " + describe(map.node));
        return;
    }
    std::map<std::string, int, std::less<>> seen;  // key → line
    for (auto const& entry : map.node) {
        int const key_line = line_of(entry.first, map.line);
        if (!entry.first.IsScalar()) {
            report(Field{entry.first, map.path, key_line}, "keys must be plain names");
            continue;
        }
        auto const& key = entry.first.Scalar();
        // The key's line, not the value's: a block value starts on the next line, and an empty
        // value has no line of its own.
        Field const value{entry.second, child_path(map.path, key), key_line};
        auto const [first, inserted] = seen.emplace(key, key_line);
        if (!inserted) {
            report(value, "duplicate key (first at line " + std::to_string(first->second) + ")");
            continue;
        }
        auto const reader = std::find_if(keys.begin(), keys.end(),
                                         [&](KeyReader const& known) { return known.key == key; });
        if (reader == keys.end()) {
            std::string known_keys;
            for (auto const& known : keys) {
                known_keys += (known_keys.empty() ? "" : ", ") + std::string{known.key};
            }
            report(value, "unknown key; expected one of " + known_keys);
            continue;
        }
        reader->read(value);
    }
}

void YamlReader::read_list(Field const& list, std::function<void(Field const&)> const& read_item) {
    if (list.node.IsNull()) return;
    if (!list.node.IsSequence()) {
        report(list, "expected a list; got " + describe(list.node));
        return;
    }
    std::size_t index = 0;
    for (auto const& item : list.node) {
        read_item(Field{item, item_path(list.path, index), line_of(item, list.line)});
        ++index;
    }
}

std::optional<std::string> YamlReader::string(Field const& field) {
    if (!field.node.IsScalar()) {
        report(field, "expected a string; got " + describe(field.node));
        return std::nullopt;
    }
    if (field.node.Scalar().empty()) {
        report(field, "must not be empty");
        return std::nullopt;
    }
    return field.node.Scalar();
}

std::optional<std::string> YamlReader::number_text(Field const& field) {
    if (!field.node.IsScalar()) {
        report(field, "expected a number; got " + describe(field.node));
        return std::nullopt;
    }
    // yaml-cpp tags a quoted scalar "!": "3000" is a string to YAML and to the JSON schema.
    if (field.node.Tag() == "!") {
        report(field, "expected a number; got the string " + describe(field.node) +
                          " (remove the quotes)");
        return std::nullopt;
    }
    return field.node.Scalar();
}

std::optional<std::int64_t> YamlReader::integer(Field const& field, std::int64_t min,
                                                std::int64_t max) {
    auto const text = number_text(field);
    if (!text) return std::nullopt;
    std::int64_t value{};
    auto const [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec == std::errc::result_out_of_range) {
        report(field, "is too large; got " + describe(field.node));
        return std::nullopt;
    }
    if (ec != std::errc{} || end != text->data() + text->size()) {
        report(field, "expected a whole number; got " + describe(field.node));
        return std::nullopt;
    }
    if (value < min || value > max) {
        // A bound nobody would reach ("at most 9223372036854775807") is noise in the message.
        bool const effectively_unbounded = max >= std::numeric_limits<std::int32_t>::max();
        auto const range =
            effectively_unbounded && value < min
                ? "must be at least " + std::to_string(min)
                : "must be between " + std::to_string(min) + " and " + std::to_string(max);
        report(field, range + "; got " + *text);
        return std::nullopt;
    }
    return value;
}

std::optional<double> YamlReader::number(Field const& field) {
    auto const text = number_text(field);
    if (!text) return std::nullopt;
    double value{};
    auto const [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size() || !std::isfinite(value)) {
        report(field, "expected a number; got " + describe(field.node));
        return std::nullopt;
    }
    return value;
}

std::optional<bool> YamlReader::boolean(Field const& field) {
    // Plain scalars only: a quoted "true" is a string to YAML and to the JSON schema.
    if (field.node.IsScalar() && field.node.Tag() != "!") {
        if (field.node.Scalar() == "true") return true;
        if (field.node.Scalar() == "false") return false;
    }
    report(field, "expected true or false; got " + describe(field.node));
    return std::nullopt;
}

std::optional<std::chrono::milliseconds> YamlReader::duration(Field const& field) {
    auto const text = string(field);
    if (!text) return std::nullopt;
    auto parsed = parse_duration(*text);
    if (!parsed) {
        report(field, "expected a positive duration like 500ms, 10s, 2m or 1h; got " +
                          describe(field.node));
    }
    return parsed;
}

std::optional<bot::WorkingSpan> YamlReader::span(Field const& field) {
    auto const text = string(field);
    if (!text) return std::nullopt;
    auto parsed = parse_span(*text);
    if (!parsed) {
        report(field,
               "expected positive working time like 2d, 4h or 30m (days, hours, minutes); got " +
                   describe(field.node));
    }
    return parsed;
}

std::optional<std::vector<std::string>> YamlReader::strings(
    Field const& field, std::function<bool(std::string_view)> const& valid,
    std::string_view expected) {
    if (!field.node.IsNull() && !field.node.IsSequence()) {
        report(field, "expected a list; got " + describe(field.node));
        return std::nullopt;
    }
    std::vector<std::string> values;
    read_list(field, [&](Field const& item) {
        auto text = string(item);
        if (!text) return;
        if (valid && !valid(*text)) {
            report(item, "expected " + std::string{expected} + "; got " + describe(item.node));
            return;
        }
        values.push_back(std::move(*text));
    });
    return values;
}

std::optional<bot::Priority> YamlReader::priority(Field const& field) {
    auto const text = string(field);
    if (!text) return std::nullopt;
    auto parsed = parse_priority(*text);
    if (!parsed) {
        report(field, "expected one of low, normal, high, urgent; got " + describe(field.node));
    }
    return parsed;
}

}  // namespace tb::config
