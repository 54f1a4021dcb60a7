#pragma once

#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/config/settings.hpp"

namespace tb::config {

// Reads the secrets and API bases. Surrounding white space is dropped (a secret mounted from a
// file often ends in a newline, which would break every signature check); an empty variable
// counts as unset, so SLACK_API_URL and DATABASE_URL keep their defaults; a trailing '/' is
// dropped from ZENDESK_URL and SLACK_API_URL because the clients append paths to them.
bot::Secrets secrets_from_environment(std::function<char const*(char const*)> getenv = ::getenv);

// What `serve` cannot start without, one message per problem. Messages name the variable and
// never contain its value.
std::vector<std::string> check_secrets_for_serve(bot::Secrets const& secrets);

// The URL with any password replaced by "****", in the user info or in a `password=` query
// parameter (libpq accepts both). Text that is not a URL but mentions a password is hidden.
std::string redact_url(std::string_view url);

}  // namespace tb::config
