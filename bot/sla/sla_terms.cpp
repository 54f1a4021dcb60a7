#include "bot/sla/sla_terms.hpp"

#include <algorithm>

namespace tb::bot {
namespace {

bool matches(SlaSegment const& segment, std::vector<std::string> const& tags,
             std::optional<std::int64_t> organization_id) {
    auto const& ids = segment.organization_ids;
    if (organization_id && std::find(ids.begin(), ids.end(), *organization_id) != ids.end()) {
        return true;
    }
    return std::any_of(tags.begin(), tags.end(), [&](std::string const& tag) {
        return std::find(segment.tags.begin(), segment.tags.end(), tag) != segment.tags.end();
    });
}

}  // namespace

SlaTerms terms_for(SlaSettings const& sla, std::vector<std::string> const& tags,
                   std::optional<std::int64_t> organization_id) {
    SlaTerms terms{
        "",          sla.first_reply,      sla.resolution, sla.pending_too_long, sla.warn_before,
        sla.targets, sla.resolution_pauses};
    auto const segment =
        std::find_if(sla.segments.begin(), sla.segments.end(),
                     [&](SlaSegment const& s) { return matches(s, tags, organization_id); });
    if (segment == sla.segments.end()) return terms;
    terms.segment = segment->name;
    terms.first_reply = segment->first_reply.value_or(terms.first_reply);
    terms.resolution = segment->resolution.value_or(terms.resolution);
    terms.targets.first_reply = segment->first_reply_target.value_or(terms.targets.first_reply);
    terms.targets.resolution = segment->resolution_target.value_or(terms.targets.resolution);
    return terms;
}

}  // namespace tb::bot
