#pragma once

#include "adapters/http/client.hpp"
#include "adapters/http/metrics.hpp"
#include "bot/tickets/ticket_flows.hpp"

namespace tb::cli {

// Counts what the ticket flows did and ignored, and logs each ticket opened.
class LoggingFlowObserver final : public bot::FlowObserver {
public:
    explicit LoggingFlowObserver(http::Metrics& metrics);

    // bot::FlowObserver
    void ignored(std::string_view reason) override;
    void ticket_opened(bot::TicketId id, bot::ThreadKey const& key) override;

private:
    http::Metrics& metrics_;
};

// Counts outbound API calls by service, method and status (tb_outbound_requests_total); the
// method is Slack's method name or Zendesk's path with ids folded to {id}; other URLs are Slack
// file downloads. No header is read.
http::RequestObserver outbound_counter(http::Metrics& metrics, std::string slack_api_url, std::string zendesk_url);

}  // namespace tb::cli
