#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bot/config/settings.hpp"

namespace tb::config {

// One thing wrong in the config file, located so an operator can go straight to it.
struct ConfigProblem {
    std::string key;  // dotted path with indexes, "slack.channels[0].id"; empty for the whole file
    int line = 0;     // 1-based; 0 when there is no line (the file could not be read)
    std::string message;
};

struct LoadedSettings {
    bot::Settings settings;  // meaningful only when ok()
    std::vector<ConfigProblem> problems;
    bool ok() const noexcept { return problems.empty(); }
};

// Parses the YAML config. Every key is optional (settings.hpp holds the defaults) except a
// channel's id. All problems are collected, not just the first: unknown keys, wrong types, bad
// values; invalid YAML gives a single problem at the parser's line. Files the config names
// (sla.calendar.holidays_file) are read too, relative to `config_dir` unless absolute.
LoadedSettings load_settings_text(std::string_view yaml,
                                  std::filesystem::path const& config_dir = {});

// As load_settings_text, with files named relative to the config file's directory; a missing or
// unreadable config file is one problem with line 0.
LoadedSettings load_settings_file(std::filesystem::path const& path);

// "config/ticketbridge.yaml:12: slack.channels[0].thread_replies: expected one of …"
std::string format_problem(std::string_view file, ConfigProblem const& problem);

}  // namespace tb::config
