#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tb::slack {

// Decodes an application/x-www-form-urlencoded body ('+' is a space); nullopt when malformed.
std::optional<std::map<std::string, std::string>> parse_form(std::string_view body);

}  // namespace tb::slack
