#pragma once

#include <string>

#include "adapters/http/intake.hpp"

namespace tb::zendesk {

namespace asio = boost::asio;

// POST /zendesk/webhook: signature and freshness checked, recorded durably (deduplicated by
// the event's id, stable across Zendesk's redeliveries), then acknowledged.
class ZendeskIntake {
public:
    ZendeskIntake(std::string webhook_secret, http::IntakeContext context);
    asio::awaitable<http::Response> webhook(http::Request request);

private:
    std::string webhook_secret_;
    http::IntakeContext context_;
};

}  // namespace tb::zendesk
