#pragma once

#include <string>

#include "bot/config/settings.hpp"

namespace tb::config {

// The whole effective configuration as YAML, defaults filled in, in the shape of the config file
// (so it loads back to the same settings), followed by an `environment:` section that shows each
// secret only as "set (masked)" or "not set" and the API bases and DATABASE_URL in clear, with
// any password masked. This is what `ticketbridge check-config` prints.
std::string render_effective_config(bot::Settings const& settings, bot::Secrets const& secrets);

}  // namespace tb::config
