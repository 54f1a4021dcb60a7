#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tb::slack {

// Decodes an application/x-www-form-urlencoded body ('+' is a space); nullopt when malformed.
std::optional<std::map<std::string, std::string>> parse_form(std::string_view body);
// Encodes fields as Slack sends forms (unreserved characters kept, the rest %XX), in order.
std::string encode_form(std::vector<std::pair<std::string, std::string>> const& fields);

}  // namespace tb::slack
