#pragma once

#include <optional>
#include <string>

#include "adapters/http/intake.hpp"

namespace tb::slack {

namespace asio = boost::asio;

// The three Slack request URLs: every request is signature-checked, parsed, recorded
// durably (deduplicated by its delivery id) and only then acknowledged.
class SlackIntake {
public:
    SlackIntake(std::string signing_secret, http::IntakeContext context);

    asio::awaitable<http::Response> events(http::Request request);
    asio::awaitable<http::Response> commands(http::Request request);
    asio::awaitable<http::Response> interactivity(http::Request request);

private:
    std::optional<http::Response> refuse_unverified(http::Request const& request);
    http::Response malformed(http::Request const& request, std::string_view detail);

    std::string signing_secret_;
    http::IntakeContext context_;
};

}  // namespace tb::slack
