#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "adapters/cli/demo.hpp"
#include "adapters/cli/service.hpp"
#include "adapters/cli/setup_zendesk.hpp"
#include "adapters/cli/sla_report.hpp"
#include "adapters/config/effective_config.hpp"
#include "adapters/config/environment.hpp"
#include "adapters/config/settings_loader.hpp"

namespace {

using namespace tb;

// Loads the config file or prints every problem and returns nullopt.
std::optional<bot::Settings> load_or_report(std::string const& path) {
    auto loaded = config::load_settings_file(path);
    if (loaded.ok()) return std::move(loaded.settings);
    for (auto const& problem : loaded.problems) {
        std::cerr << config::format_problem(path, problem) << '\n';
    }
    std::cerr << path << ": " << loaded.problems.size() << " problem(s); nothing was started\n";
    return std::nullopt;
}

void apply_port_override(bot::Settings& settings) {
    // Platforms and the load runner pass the port this way; it wins over the file.
    if (char const* port = std::getenv("PORT"); port != nullptr && *port != '\0') {
        char* end = nullptr;
        auto const value = std::strtol(port, &end, 10);
        if (*end != '\0' || value <= 0 || value > 65535) {
            throw std::runtime_error("PORT must be a number from 1 to 65535");
        }
        settings.listen.port = static_cast<std::uint16_t>(value);
    }
}

void setup_logging(std::string const& level) {
    auto logger = spdlog::stderr_color_mt("ticketbridge");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(level));
    spdlog::flush_on(spdlog::level::info);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"ticketbridge: Slack conversations to Zendesk tickets, both sides kept in step"};
    app.require_subcommand(1);
    std::string config_path = "config/ticketbridge.yaml";
    std::string log_level = std::getenv("TB_LOG_LEVEL") ? std::getenv("TB_LOG_LEVEL") : "info";
    auto* level_option = app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
                             ->capture_default_str();
    app.fallthrough();  // global options are also accepted after the subcommand

    auto* serve = app.add_subcommand("serve", "Run the service");
    serve->add_option("-c,--config", config_path, "YAML configuration file")->capture_default_str();
    std::size_t threads = 1;
    serve->add_option("--threads", threads, "Network threads")->capture_default_str()->check(CLI::Range(1, 64));
    std::int64_t sla_speed = 1;
    std::int64_t sla_origin_ms = 0;
    serve->add_option("--sla-speed", sla_speed,
                      "For demos and tests only: SLA clocks run this many times faster than real time")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{100'000}))
        ->group("Testing");
    serve->add_option("--sla-origin", sla_origin_ms,
                      "With --sla-speed: when the faster time begins, in Unix milliseconds (default: now); "
                      "give the same value after a restart to carry on")
        ->group("Testing");

    auto* check = app.add_subcommand("check-config", "Validate the configuration and print it, secrets masked");
    check->add_option("-c,--config", config_path, "YAML configuration file")->capture_default_str();

    auto* demo = app.add_subcommand("demo",
                                    "Run the service against built-in fake Slack and Zendesk on "
                                    "127.0.0.1 and narrate a request");
    cli::DemoOptions demo_options;
    std::string demo_db;
    demo->add_option("--db", demo_db,
                     "SQLite file to use (default: a temporary one, removed after)");
    demo->add_flag("--keep-running", demo_options.keep_running,
                   "Keep serving after the narration until Ctrl-C, to poke /metrics");

    auto* setup = app.add_subcommand(
        "setup-zendesk",
        "Create or update the Zendesk webhook that sends ticket events to this service, and print "
        "its signing secret (ZENDESK_URL and credentials from the environment)");
    cli::SetupZendeskOptions setup_options;
    setup->add_option("--url", setup_options.url,
                      "Public base URL of this service, https://...; the webhook calls "
                      "<url>/zendesk/webhook")
        ->required();
    setup->add_option("--name", setup_options.name, "The webhook's name in Zendesk")
        ->capture_default_str();
    setup->add_flag("--dry-run", setup_options.dry_run, "Print what would be done, change nothing");

    auto* report = app.add_subcommand(
        "sla-report", "Print SLA attainment for the tickets created in a period, from the store (DATABASE_URL)");
    cli::SlaReportOptions report_options;
    report->add_option("-c,--config", config_path, "YAML configuration file")->capture_default_str();
    report->add_option("--from", report_options.from, "First day, YYYY-MM-DD")->required();
    report->add_option("--to", report_options.to, "Last day (included), YYYY-MM-DD")->required();
    report->add_option("--format", report_options.format, "table, csv or json")->capture_default_str();
    report->add_option("--by", report_options.by, "group, priority or segment");

    app.add_subcommand("version", "Print the version");

    CLI11_PARSE(app, argc, argv);
    if ((app.got_subcommand(demo) || app.got_subcommand(setup) || app.got_subcommand(report)) &&
        level_option->count() == 0 &&
        std::getenv("TB_LOG_LEVEL") == nullptr) {
        log_level = "warn";  // the narration on stdout is the demo's output
    }
    setup_logging(log_level);

    try {
        if (app.got_subcommand("version")) {
            std::cout << "ticketbridge " << TB_VERSION << '\n';
            return 0;
        }
        if (app.got_subcommand(demo)) {
            if (!demo_db.empty()) demo_options.db = demo_db;
            return cli::run_demo(std::move(demo_options));
        }
        if (app.got_subcommand(setup)) {
            return cli::run_setup_zendesk(setup_options, config::secrets_from_environment(),
                                          std::cout, std::cerr);
        }
        if (app.got_subcommand(report)) {
            auto settings = load_or_report(config_path);
            if (!settings) return 2;
            auto const secrets = config::secrets_from_environment();
            return cli::run_sla_report(report_options, *settings, secrets.database_url, std::cout, std::cerr);
        }
        if (app.got_subcommand("check-config")) {
            auto settings = load_or_report(config_path);
            if (!settings) return 2;
            apply_port_override(*settings);
            auto const secrets = config::secrets_from_environment();
            std::cout << config::render_effective_config(*settings, secrets);
            auto const problems = config::check_secrets_for_serve(secrets);
            for (auto const& p : problems) std::cerr << "environment: " << p << '\n';
            if (!problems.empty()) {
                std::cerr << "the file is valid; `serve` also needs the environment above\n";
            }
            return 0;
        }
        auto settings = load_or_report(config_path);
        if (!settings) return 2;
        apply_port_override(*settings);
        auto secrets = config::secrets_from_environment();
        auto const problems = config::check_secrets_for_serve(secrets);
        if (!problems.empty()) {
            for (auto const& p : problems) spdlog::critical("{}", p);
            spdlog::critical("cannot start: {} problem(s) in the environment", problems.size());
            return 2;
        }
        cli::ServiceOptions options;
        options.settings = std::move(*settings);
        options.secrets = std::move(secrets);
        options.network_threads = threads;
        if (sla_speed > 1) {
            auto const origin = sla_origin_ms > 0 ? bot::from_unix_ms(sla_origin_ms) : bot::SystemClock{}.now();
            cli::run_sla_faster(options, origin, sla_speed);
            spdlog::warn("SLA clocks run {}x faster than real time since {} ms (--sla-speed): for demos and tests only",
                         sla_speed, bot::to_unix_ms(origin));
        }
        cli::Service service{std::move(options)};
        return service.run();
    } catch (std::exception const& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}
