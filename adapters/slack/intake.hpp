#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "adapters/http/intake.hpp"
#include "bot/commands/ticket_commands.hpp"
#include "bot/tickets/requests.hpp"

namespace tb::slack {

namespace asio = boost::asio;

// The three Slack request URLs: every request is signature-checked, parsed, recorded
// durably (deduplicated by its delivery id) and only then acknowledged.
class SlackIntake {
public:
    // Checks a submitted "Create ticket" form before it is accepted: Slack shows the problems
    // in the still-open modal, so this must answer within Slack's 3 seconds.
    using FormCheck = std::function<asio::awaitable<std::vector<bot::FormProblem>>(bot::TicketForm)>;

    // `commands` is told of a command answered in full on arrival (a mistake, `help`), as the
    // commands that run as jobs tell it of theirs.
    SlackIntake(std::string signing_secret, http::IntakeContext context, FormCheck check_form = {},
                bot::CommandObserver* commands = nullptr);

    asio::awaitable<http::Response> events(http::Request request);
    asio::awaitable<http::Response> commands(http::Request request);
    asio::awaitable<http::Response> interactivity(http::Request request);

private:
    std::optional<http::Response> refuse_unverified(http::Request const& request);
    http::Response malformed(http::Request const& request, std::string_view detail);

    std::string signing_secret_;
    http::IntakeContext context_;
    FormCheck check_form_;
    bot::CommandObserver* commands_;
};

}  // namespace tb::slack
