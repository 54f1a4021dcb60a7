#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tests/fakes/fake_http_server.hpp"

namespace tb::fakes::slack_detail {

// A Web API request reduced to what the methods need: arguments from the query string and a
// form or JSON body merged into one object (JSON values kept, form values as strings).
struct DecodedCall {
    std::string method;
    nlohmann::json params = nlohmann::json::object();
    std::string token;  // from "Authorization: Bearer" or a form field; never from query or JSON
    std::string error;  // Slack's code when the request cannot be decoded (invalid_json, ...)
};

DecodedCall decode_call(Request const& req, std::string_view path_prefix);

std::string path_of(Request const& req);  // target without the query

// Argument accessors: absent, null and empty all read as "not given".
std::string str_param(nlohmann::json const& params, std::string_view key);
bool bool_param(nlohmann::json const& params, std::string_view key, bool fallback);
std::optional<long long> int_param(nlohmann::json const& params, std::string_view key);
// Arguments that carry JSON (blocks, view) arrive as a string in forms and inline in JSON bodies.
// Returns null when absent; sets `malformed` when a string does not parse.
nlohmann::json json_param(nlohmann::json const& params, std::string_view key, bool& malformed);

std::string base64_encode(std::string_view raw);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace tb::fakes::slack_detail
