#pragma once

#include "adapters/http/metrics.hpp"
#include "bot/commands/ticket_commands.hpp"

namespace tb::cli {

// Counts commands by verb and outcome; logs and counts every refusal with the Slack user id.
class LoggingCommandObserver final : public bot::CommandObserver {
public:
    explicit LoggingCommandObserver(http::Metrics& metrics);

    // bot::CommandObserver
    void refused(std::string_view reason, std::string_view slack_user, bot::Verb verb) override;
    void finished(bot::Verb verb, std::string_view outcome) override;

private:
    http::Metrics& metrics_;
};

}  // namespace tb::cli
