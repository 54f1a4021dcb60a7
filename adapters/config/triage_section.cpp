#include <utility>

#include "adapters/config/sections.hpp"
#include "adapters/config/value_formats.hpp"

namespace tb::config {
namespace {

bool is_keyword(std::string_view text) noexcept {
    return text.find_first_not_of(" \t") != std::string_view::npos;
}

bot::TriageRule read_rule(YamlReader& reader, Field const& item) {
    bot::TriageRule rule;
    reader.read_map(
        item, {
                  {"keywords",
                   [&](Field const& value) {
                       if (auto words = reader.strings(value, is_keyword, "a word or phrase")) {
                           rule.keywords = std::move(*words);
                       }
                   }},
                  {"channels",
                   [&](Field const& value) {
                       reader.read_list(value, [&](Field const& channel) {
                           if (auto id = read_channel_id(reader, channel)) {
                               rule.channels.push_back(std::move(*id));
                           }
                       });
                   }},
                  {"group", [&](Field const& value) { rule.group = reader.string(value); }},
                  {"priority", [&](Field const& value) { rule.priority = reader.priority(value); }},
                  {"tags",
                   [&](Field const& value) {
                       if (auto tags = reader.strings(value, is_zendesk_tag,
                                                      "a Zendesk tag without spaces")) {
                           rule.tags = std::move(*tags);
                       }
                   }},
              });
    return rule;
}

}  // namespace

void read_triage(YamlReader& reader, Field const& field, std::vector<bot::TriageRule>& rules) {
    reader.read_list(field, [&](Field const& item) {
        auto const problems_before = reader.problem_count();
        auto rule = read_rule(reader, item);
        // A rule whose own keys were wrong is already reported; judging what is left would only
        // add confusing follow-on problems.
        if (reader.problem_count() == problems_before &&
            (item.node.IsMap() || item.node.IsNull())) {
            if (rule.keywords.empty() && rule.channels.empty()) {
                reader.report(item,
                              "a rule needs keywords, channels or both; without them it "
                              "would match every message");
            }
            if (!rule.group && !rule.priority && rule.tags.empty()) {
                reader.report(item, "a rule must set a group, a priority or tags");
            }
        }
        rules.push_back(std::move(rule));
    });
}

}  // namespace tb::config
