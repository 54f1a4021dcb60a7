#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace tb::testing {

struct HttpAnswer {
    int status = 0;  // 0: no answer (connection failed, closed or timed out)
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// One request on a new connection to 127.0.0.1:port, with a deadline.
HttpAnswer http_request(std::uint16_t port, std::string method, std::string target,
                        Headers headers = {}, std::string body = {},
                        std::chrono::milliseconds timeout = std::chrono::seconds{10});

// Bytes written as they are (for malformed requests); reads one answer.
HttpAnswer raw_request(std::uint16_t port, std::string bytes,
                       std::chrono::milliseconds timeout = std::chrono::seconds{10});

// Slack's request signing, as Slack does it, for the given unix time.
Headers slack_signed_headers(std::string const& secret, std::string const& body, std::int64_t unix_time,
                             std::string content_type = "application/json");
// Zendesk's webhook signing with an ISO-8601 timestamp.
Headers zendesk_signed_headers(std::string const& secret, std::string const& body,
                               std::string const& iso_timestamp);
std::int64_t unix_now();
std::string iso_utc(std::int64_t unix_time);

// Waits until GET /healthz answers 200.
bool wait_until_healthy(std::uint16_t port, std::chrono::milliseconds timeout);

}  // namespace tb::testing
