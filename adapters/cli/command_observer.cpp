#include "adapters/cli/command_observer.hpp"

#include <string>

#include <spdlog/spdlog.h>

namespace tb::cli {

LoggingCommandObserver::LoggingCommandObserver(http::Metrics& metrics) : metrics_{metrics} {
    metrics_.describe("tb_commands_total", http::Metrics::Type::counter,
                      "Slash commands, card buttons and forms carried out, by verb and outcome.");
    metrics_.describe("tb_command_refusals_total", http::Metrics::Type::counter,
                      "Ticket changes refused: the person is not authorised or not a Zendesk agent.");
}

void LoggingCommandObserver::refused(std::string_view reason, std::string_view slack_user, bot::Verb verb) {
    metrics_.inc("tb_command_refusals_total", {{"reason", std::string{reason}}});
    spdlog::warn("commands: refused `{}` for Slack user {} ({})", bot::to_string(verb), slack_user, reason);
}

void LoggingCommandObserver::finished(bot::Verb verb, std::string_view outcome) {
    metrics_.inc("tb_commands_total", {{"verb", std::string{bot::to_string(verb)}}, {"outcome", std::string{outcome}}});
    spdlog::info("commands: `{}` {}", bot::to_string(verb), outcome);
}

}  // namespace tb::cli
