#pragma once

#include <string>
#include <string_view>

#include "bot/result.hpp"

namespace tb::http {

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(std::string_view host) noexcept;

// An API base from the environment must be https://, or http:// on a loopback address only
// (fakes and local proxies). On refusal, `why` says what was wrong, for a startup error.
bool is_acceptable_api_base(std::string_view url, std::string& why);

}  // namespace tb::http
