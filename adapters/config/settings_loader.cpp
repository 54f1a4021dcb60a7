#include "adapters/config/settings_loader.hpp"

#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>
#include <utility>

#include <yaml-cpp/yaml.h>
#include <boost/asio/ip/address.hpp>

#include "adapters/config/sections.hpp"
#include "adapters/config/value_formats.hpp"
#include "adapters/config/yaml_reader.hpp"

namespace tb::config {
namespace {

constexpr std::int64_t kMaxInt64 = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMaxInt = std::numeric_limits<int>::max();
// Beast takes the header limit as a 32-bit count.
constexpr std::int64_t kMaxHeaderBytes = std::numeric_limits<std::uint32_t>::max();

void read_listen(YamlReader& reader, Field const& field, bot::ListenSettings& listen) {
    reader.read_map(field,
                    {
                        {"address",
                         [&](Field const& value) {
                             auto address = reader.string(value);
                             if (!address) return;
                             boost::system::error_code ec;
                             boost::asio::ip::make_address(*address, ec);
                             if (ec) {
                                 reader.report(
                                     value,
                                     "expected an IP address like 0.0.0.0, 127.0.0.1 or ::; got " +
                                         describe(value.node));
                                 return;
                             }
                             listen.address = std::move(*address);
                         }},
                        {"port",
                         [&](Field const& value) {
                             if (auto port = reader.integer(value, 1, 65535)) {
                                 listen.port = static_cast<std::uint16_t>(*port);
                             }
                         }},
                    });
}

void read_size(YamlReader& reader, Field const& field, std::size_t& size, std::int64_t max) {
    if (auto const value = reader.integer(field, 1, max)) size = static_cast<std::size_t>(*value);
}

void read_duration(YamlReader& reader, Field const& field, std::chrono::milliseconds& duration) {
    if (auto const value = reader.duration(field)) duration = *value;
}

void read_server(YamlReader& reader, Field const& field, bot::ServerSettings& server) {
    reader.read_map(
        field,
        {
            {"max_body_bytes",
             [&](Field const& value) {
                 read_size(reader, value, server.max_body_bytes, kMaxInt64);
             }},
            {"max_header_bytes",
             [&](Field const& value) {
                 read_size(reader, value, server.max_header_bytes, kMaxHeaderBytes);
             }},
            {"read_timeout",
             [&](Field const& value) { read_duration(reader, value, server.read_timeout); }},
            {"idle_timeout",
             [&](Field const& value) { read_duration(reader, value, server.idle_timeout); }},
            {"max_connections",
             [&](Field const& value) {
                 read_size(reader, value, server.max_connections, kMaxInt);
             }},
            {"shutdown_grace",
             [&](Field const& value) { read_duration(reader, value, server.shutdown_grace); }},
        });
}

void read_zendesk(YamlReader& reader, Field const& field, bot::ZendeskSettings& zendesk) {
    reader.read_map(field,
                    {
                        {"default_group",
                         [&](Field const& value) { zendesk.default_group = reader.string(value); }},
                        {"tags",
                         [&](Field const& value) {
                             if (auto tags = reader.strings(value, is_zendesk_tag,
                                                            "a Zendesk tag without spaces")) {
                                 zendesk.tags = std::move(*tags);
                             }
                         }},
                        {"requests_per_minute",
                         [&](Field const& value) {
                             if (auto const rate = reader.integer(value, 1, kMaxInt)) {
                                 zendesk.requests_per_minute = static_cast<int>(*rate);
                             }
                         }},
                        {"catch_up_every",
                         [&](Field const& value) {
                             auto const every = reader.duration(value);
                             if (!every) return;
                             // Zendesk allows 10 export requests a minute.
                             if (*every < std::chrono::seconds{10}) {
                                 reader.report(value, "must be at least 10s (Zendesk allows 10 export "
                                                      "requests a minute); got " + describe(value.node));
                                 return;
                             }
                             zendesk.catch_up_every = *every;
                         }},
                    });
}

void read_settings(YamlReader& reader, Field const& root, std::filesystem::path const& config_dir,
                   bot::Settings& settings) {
    if (!root.node.IsMap() && !root.node.IsNull()) {
        reader.report(root, "expected a map of settings (listen, slack, zendesk, …); got " +
                                describe(root.node));
        return;
    }
    reader.read_map(
        root,
        {
            {"listen", [&](Field const& value) { read_listen(reader, value, settings.listen); }},
            {"server", [&](Field const& value) { read_server(reader, value, settings.server); }},
            {"slack", [&](Field const& value) { read_slack(reader, value, settings.slack); }},
            {"zendesk", [&](Field const& value) { read_zendesk(reader, value, settings.zendesk); }},
            {"triage", [&](Field const& value) { read_triage(reader, value, settings.triage); }},
            {"sla", [&](Field const& value) { read_sla(reader, value, config_dir, settings.sla); }},
        });
}

}  // namespace

LoadedSettings load_settings_text(std::string_view yaml, std::filesystem::path const& config_dir) {
    LoadedSettings loaded;
    std::vector<YAML::Node> documents;
    try {
        documents = YAML::LoadAll(std::string{yaml});
    } catch (YAML::Exception const& e) {
        int const line = e.mark.is_null() ? 0 : e.mark.line + 1;
        loaded.problems.push_back(ConfigProblem{"", line, "invalid YAML: " + e.msg});
        return loaded;
    }
    YamlReader reader;
    if (documents.size() > 1) {
        auto const& second = documents[1];
        reader.report(Field{second, "", second.Mark().is_null() ? 0 : second.Mark().line + 1},
                      "expected one YAML document; found " + std::to_string(documents.size()) +
                          " (separated by ---)");
    }
    if (!documents.empty()) {
        read_settings(reader, Field{documents.front(), "", 1}, config_dir, loaded.settings);
    }
    loaded.problems = reader.take_problems();
    return loaded;
}

LoadedSettings load_settings_file(std::filesystem::path const& path) {
    std::ifstream in{path, std::ios::binary};
    std::error_code ec;
    if (!in || std::filesystem::is_directory(path, ec)) {
        LoadedSettings failed;
        auto const why = std::filesystem::exists(path, ec) ? "cannot read the config file"
                                                           : "config file not found";
        failed.problems.push_back(ConfigProblem{"", 0, why});
        return failed;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return load_settings_text(text.str(), path.parent_path());
}

std::string format_problem(std::string_view file, ConfigProblem const& problem) {
    std::string out{file};
    if (problem.line > 0) out += ":" + std::to_string(problem.line);
    out += ": ";
    if (!problem.key.empty()) out += problem.key + ": ";
    out += problem.message;
    return out;
}

}  // namespace tb::config
