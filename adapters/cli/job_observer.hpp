#pragma once

#include "adapters/http/metrics.hpp"
#include "bot/jobs/runner.hpp"

namespace tb::cli {

// Logs and counts each job attempt's end; a dead job is logged as an error with its reason.
class LoggingJobObserver final : public bot::JobObserver {
public:
    explicit LoggingJobObserver(http::Metrics& metrics);

    // bot::JobObserver
    void attempted(bot::Job const& job, bot::JobOutcome const& outcome, Fate fate,
                   std::chrono::milliseconds took) override;
    void store_failed(error_code ec) override;
    void outage(std::chrono::milliseconds pause, std::string_view reason) override;

private:
    http::Metrics& metrics_;
};

}  // namespace tb::cli
