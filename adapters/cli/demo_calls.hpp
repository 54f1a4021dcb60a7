#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace tb::cli::demo {

struct LoopbackAnswer {
    int status = 0;  // 0: no answer (refused, closed or timed out)
    std::string body;
    std::chrono::milliseconds took{};
};

// A port on 127.0.0.1 that nothing listens on right now.
std::uint16_t free_loopback_port();

// One plain-HTTP request to the service on 127.0.0.1, with a deadline.
LoopbackAnswer loopback_get(std::uint16_t port, std::string path,
                            std::chrono::milliseconds timeout);

// POSTs a JSON body signed as Slack signs its requests: X-Slack-Signature is
// "v0=" + hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body)).
LoopbackAnswer post_as_slack(std::uint16_t port, std::string path,
                             std::string const& signing_secret, std::string body,
                             std::string content_type = "application/json");

// POSTs a JSON body signed as Zendesk signs its webhooks: X-Zendesk-Webhook-Signature is
// base64(HMAC-SHA256(secret, timestamp + body)).
LoopbackAnswer post_as_zendesk(std::uint16_t port, std::string const& secret, std::string body);

}  // namespace tb::cli::demo
