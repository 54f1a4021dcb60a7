#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "adapters/config/yaml_reader.hpp"
#include "bot/config/settings.hpp"

// Readers for the larger sections of the config file, one file each.
namespace tb::config {

void read_slack(YamlReader& reader, Field const& field, bot::SlackSettings& slack);
// Relative file names in the section are taken from `config_dir`.
void read_sla(YamlReader& reader, Field const& field, std::filesystem::path const& config_dir,
              bot::SlaSettings& sla);
void read_sla_segments(YamlReader& reader, Field const& field,
                       std::vector<bot::SlaSegment>& segments);
void read_triage(YamlReader& reader, Field const& field, std::vector<bot::TriageRule>& rules);

// A Slack channel id, reported when it is a name or otherwise malformed.
std::optional<std::string> read_channel_id(YamlReader& reader, Field const& field);

// A share of tickets, above 0 and at most 1.
std::optional<double> read_fraction(YamlReader& reader, Field const& field);

}  // namespace tb::config
