#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bot/config/settings.hpp"

namespace tb::bot {

// The service levels one ticket owes: the defaults of the config, or its segment's.
struct SlaTerms {
    std::string segment;  // empty: the defaults
    WorkingSpan first_reply;
    WorkingSpan resolution;
    WorkingSpan pending_too_long;
    WorkingSpan warn_before;
    SlaTargets targets;
    std::vector<std::string> resolution_pauses;
};

// The first segment with any of the ticket's tags or its organisation, else the defaults.
SlaTerms terms_for(SlaSettings const& sla, std::vector<std::string> const& tags,
                   std::optional<std::int64_t> organization_id);

}  // namespace tb::bot
