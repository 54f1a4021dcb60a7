#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace tb::slack {

// Payload readers that never throw: a missing or mistyped field reads as empty.
inline std::string text_at(nlohmann::json const& object, char const* key) {
    if (!object.is_object()) return {};
    auto const it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

inline nlohmann::json const& object_at(nlohmann::json const& object, char const* key) {
    static nlohmann::json const empty = nlohmann::json::object();
    if (!object.is_object()) return empty;
    auto const it = object.find(key);
    return it != object.end() && it->is_object() ? *it : empty;
}

}  // namespace tb::slack
