#include "adapters/cli/flow_observer.hpp"

#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>

namespace tb::cli {
namespace {

// "/api/v2/tickets/123/comments.json?x" → "/api/v2/tickets/{id}/comments"
std::string route_of(std::string_view url) {
    auto const scheme = url.find("://");
    auto const path_start = url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
    if (path_start == std::string_view::npos) return "/";
    auto path = url.substr(path_start);
    path = path.substr(0, path.find_first_of("?#"));
    if (path.ends_with(".json")) path.remove_suffix(5);
    std::string out;
    std::size_t i = 0;
    while (i < path.size()) {
        auto const end = std::min(path.find('/', i + 1), path.size());
        auto const segment = path.substr(i, end - i);
        bool const numeric = segment.size() > 1 && std::all_of(segment.begin() + 1, segment.end(), [](char c) {
                                 return std::isdigit(static_cast<unsigned char>(c)) != 0;
                             });
        out += numeric ? std::string{"/{id}"} : std::string{segment};
        i = end;
    }
    return out;
}

}  // namespace

LoggingFlowObserver::LoggingFlowObserver(http::Metrics& metrics) : metrics_{metrics} {
    metrics_.describe("tb_flow_ignored_total", http::Metrics::Type::counter,
                      "Slack deliveries the ticket flows ignored, by reason.");
    metrics_.describe("tb_tickets_opened_total", http::Metrics::Type::counter,
                      "Zendesk tickets opened from Slack threads (follow-ups included).");
}

void LoggingFlowObserver::ignored(std::string_view reason) {
    metrics_.inc("tb_flow_ignored_total", {{"reason", std::string{reason}}});
    spdlog::debug("flows: ignored ({})", reason);
}

void LoggingFlowObserver::ticket_opened(bot::TicketId id, bot::ThreadKey const& key) {
    metrics_.inc("tb_tickets_opened_total");
    spdlog::info("flows: ticket #{} opened for thread {} in {}", id, key.thread_ts, key.channel);
}

http::RequestObserver outbound_counter(http::Metrics& metrics, std::string slack_api_url, std::string zendesk_url) {
    metrics.describe("tb_outbound_requests_total", http::Metrics::Type::counter,
                     "Calls to the Slack and Zendesk APIs by service, method and status (0: no answer).");
    metrics.describe("tb_outbound_seconds", http::Metrics::Type::histogram,
                     "Time the Slack and Zendesk API calls took, by service.");
    return [&metrics, slack = std::move(slack_api_url), zendesk = std::move(zendesk_url)](
               http::OutboundRequest const& request, int status, std::chrono::milliseconds took) {
        bool const is_slack = request.url.starts_with(slack);
        bool const is_zendesk = !is_slack && request.url.starts_with(zendesk);
        std::string method;
        if (is_slack) {
            auto const rest = std::string_view{request.url}.substr(slack.size());
            method = std::string{rest.substr(0, rest.find_first_of("?#"))};
            if (!method.empty() && method.front() == '/') method.erase(0, 1);
        } else if (is_zendesk) {
            method = std::string{http::bhttp::to_string(request.method)} + " " + route_of(request.url);
        } else {
            method = "download";
        }
        char const* service = is_slack ? "slack" : is_zendesk ? "zendesk" : "slack_files";
        metrics.inc("tb_outbound_requests_total",
                    {{"service", service}, {"method", method}, {"status", std::to_string(status)}});
        metrics.observe("tb_outbound_seconds", {{"service", service}}, static_cast<double>(took.count()) / 1000.0);
    };
}

}  // namespace tb::cli
