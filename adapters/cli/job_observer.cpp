#include "adapters/cli/job_observer.hpp"

#include <spdlog/spdlog.h>

namespace tb::cli {

LoggingJobObserver::LoggingJobObserver(http::Metrics& metrics) : metrics_{metrics} {
    metrics_.describe("tb_jobs_total", http::Metrics::Type::counter,
                      "Job attempts by source and fate (done, retrying, dead).");
    metrics_.describe("tb_job_seconds", http::Metrics::Type::histogram,
                      "Time a job attempt took, by source.");
    metrics_.describe("tb_job_store_failures_total", http::Metrics::Type::counter,
                      "Job outcomes or claims the store could not write.");
    metrics_.describe("tb_jobs_paused_seconds", http::Metrics::Type::gauge,
                      "Wait before the next probe while Slack or Zendesk does not answer.");
    metrics_.set("tb_jobs_paused_seconds", {}, 0.0);
}

void LoggingJobObserver::attempted(bot::Job const& job, bot::JobOutcome const& outcome, Fate fate,
                                   std::chrono::milliseconds took) {
    auto const source = bot::to_string(job.source);
    char const* fate_name = fate == Fate::done ? "done" : fate == Fate::retrying ? "retrying" : "dead";
    metrics_.inc("tb_jobs_total", {{"source", source}, {"fate", fate_name}});
    metrics_.observe("tb_job_seconds", {{"source", source}}, static_cast<double>(took.count()) / 1000.0);
    switch (fate) {
        case Fate::done:
            spdlog::debug("job {} ({} {}) done in {} ms", job.id, source, job.delivery_id, took.count());
            break;
        case Fate::retrying:
            spdlog::warn("job {} ({} {}) attempt {} failed, will retry: {}", job.id, source,
                         job.delivery_id, job.attempts + 1, outcome.reason);
            break;
        case Fate::dead:
            spdlog::error("job {} ({} {}) is dead after {} attempt(s): {}", job.id, source,
                          job.delivery_id, job.attempts + 1, outcome.reason);
            break;
    }
}

void LoggingJobObserver::outage(std::chrono::milliseconds pause, std::string_view reason) {
    metrics_.set("tb_jobs_paused_seconds", {}, static_cast<double>(pause.count()) / 1000.0);
    if (pause.count() == 0) {
        spdlog::warn("jobs: a job got through again; background work resumes");
    } else {
        spdlog::warn("jobs: Slack or Zendesk does not answer ({}); background work paused, "
                     "next try in {} ms", reason, pause.count());
    }
}

void LoggingJobObserver::store_failed(error_code ec) {
    metrics_.inc("tb_job_store_failures_total");
    spdlog::error("jobs: store call failed: {}", ec.message());
}

}  // namespace tb::cli
