#pragma once

#include <vector>

#include "adapters/config/yaml_reader.hpp"
#include "bot/config/settings.hpp"

// Readers for the larger sections of the config file, one file each.
namespace tb::config {

void read_slack(YamlReader& reader, Field const& field, bot::SlackSettings& slack);
void read_sla(YamlReader& reader, Field const& field, bot::SlaSettings& sla);
void read_triage(YamlReader& reader, Field const& field, std::vector<bot::TriageRule>& rules);

// A Slack channel id, reported when it is a name or otherwise malformed.
std::optional<std::string> read_channel_id(YamlReader& reader, Field const& field);

}  // namespace tb::config
