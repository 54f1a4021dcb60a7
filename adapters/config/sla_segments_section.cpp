#include <limits>
#include <map>
#include <string>
#include <utility>

#include "adapters/config/sections.hpp"
#include "adapters/config/value_formats.hpp"

namespace tb::config {
namespace {

constexpr std::int64_t kMaxId = std::numeric_limits<std::int64_t>::max();

// segment name → path of the segment that first used it
using SeenNames = std::map<std::string, std::string, std::less<>>;

void read_name(YamlReader& reader, Field const& field, SeenNames& seen, std::string& name) {
    auto text = reader.string(field);
    if (!text) return;
    auto const [first, inserted] = seen.emplace(*text, field.path);
    if (!inserted) {
        reader.report(field, "duplicate segment name " + *text + " (also " + first->second + ")");
    }
    name = std::move(*text);
}

void read_organizations(YamlReader& reader, Field const& field, std::vector<std::int64_t>& ids) {
    reader.read_list(field, [&](Field const& item) {
        if (auto const id = reader.integer(item, 1, kMaxId)) ids.push_back(*id);
    });
}

void read_segment_targets(YamlReader& reader, Field const& field, bot::SlaSegment& segment) {
    reader.read_map(
        field,
        {
            {"first_reply",
             [&](Field const& value) {
                 segment.first_reply_target = read_fraction(reader, value);
             }},
            {"resolution",
             [&](Field const& value) { segment.resolution_target = read_fraction(reader, value); }},
        });
}

bot::SlaSegment read_segment(YamlReader& reader, Field const& item, SeenNames& seen) {
    bot::SlaSegment segment;
    bool has_name = false;
    reader.read_map(
        item,
        {
            {"name",
             [&](Field const& value) {
                 has_name = true;
                 read_name(reader, value, seen, segment.name);
             }},
            {"tags",
             [&](Field const& value) {
                 if (auto tags =
                         reader.strings(value, is_zendesk_tag, "a Zendesk tag without spaces")) {
                     segment.tags = std::move(*tags);
                 }
             }},
            {"organization_ids",
             [&](Field const& value) {
                 read_organizations(reader, value, segment.organization_ids);
             }},
            {"first_reply", [&](Field const& value) { segment.first_reply = reader.span(value); }},
            {"resolution", [&](Field const& value) { segment.resolution = reader.span(value); }},
            {"targets", [&](Field const& value) { read_segment_targets(reader, value, segment); }},
        });
    if (!has_name && (item.node.IsMap() || item.node.IsNull())) {
        reader.report(item, "missing required key name");
    }
    return segment;
}

}  // namespace

void read_sla_segments(YamlReader& reader, Field const& field,
                       std::vector<bot::SlaSegment>& segments) {
    SeenNames seen;
    reader.read_list(field, [&](Field const& item) {
        auto const problems_before = reader.problem_count();
        auto segment = read_segment(reader, item, seen);
        // A segment whose own keys were wrong is already reported.
        if (reader.problem_count() == problems_before && segment.tags.empty() &&
            segment.organization_ids.empty()) {
            reader.report(item,
                          "a segment needs tags, organization_ids or both; without them it "
                          "would match no ticket");
        }
        segments.push_back(std::move(segment));
    });
}

}  // namespace tb::config
