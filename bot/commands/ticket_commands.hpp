#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/asio/awaitable.hpp>

#include "bot/clock.hpp"
#include "bot/commands/agent_directory.hpp"
#include "bot/commands/agent_requests.hpp"
#include "bot/commands/command.hpp"
#include "bot/commands/permissions.hpp"
#include "bot/config/settings.hpp"
#include "bot/jobs/runner.hpp"
#include "bot/ports/chat.hpp"
#include "bot/ports/thread_ledger.hpp"
#include "bot/ports/ticket_desk.hpp"

namespace tb::bot {

// Counts and logs what agents asked for (adapters implement it).
class CommandObserver {
public:
    virtual ~CommandObserver() = default;
    // A change was refused: reason is unauthorized or no_agent.
    virtual void refused(std::string_view reason, std::string_view slack_user, Verb verb) = 0;
    // outcome: applied, answered (read-only), invalid, rejected (Zendesk said no), not_found.
    virtual void finished(Verb verb, std::string_view outcome) = 0;
};

// The work of issue "working tickets from Slack": `/ticket` commands, the ticket card's
// buttons and the solve form change tickets as the acting agent would; the result goes back
// to the person, the ticket's thread gets a status line and its card is updated in place.
class TicketCommands {
public:
    TicketCommands(Settings const& settings, Chat& chat, TicketDesk& desk, ThreadLedger& ledger,
                   Clock const& clock, CommandObserver& observer);

    asio::awaitable<JobOutcome> handle(AgentRequest request, std::string delivery_id);

    // Answers `/ticket sla [N]` and `/ticket list breaching` (the SLA watch provides them).
    using SlaAnswer = std::function<asio::awaitable<std::string>(std::optional<TicketId>)>;
    void on_sla(SlaAnswer answer) { sla_ = std::move(answer); }

private:
    // One command to carry out, whichever way it came.
    struct Work {
        std::string delivery;
        std::string user;
        std::string channel;       // where to answer when there is no response_url
        std::string response_url;  // empty for modal submissions
        Command command;
    };
    struct Plan {
        TicketChange change;
        std::optional<NewComment> comment;
    };
    // A plan, or what to tell the person instead.
    using Planned = std::variant<Plan, std::string>;

    asio::awaitable<JobOutcome> on_command(TicketCommand command, std::string delivery);
    asio::awaitable<JobOutcome> on_action(CardAction action, std::string delivery);
    asio::awaitable<JobOutcome> open_solve_form(CardAction action, std::string delivery);
    asio::awaitable<JobOutcome> solve_pending(Work work);

    asio::awaitable<JobOutcome> change(Work work);
    // Checks the person may change tickets and is a Zendesk agent; a refusal is answered.
    asio::awaitable<ApiResult<std::optional<Agent>>> actor(Work const& work);
    asio::awaitable<ApiResult<Planned>> plan(Command const& command, Agent const& actor);
    asio::awaitable<JobOutcome> announce(Work const& work);

    asio::awaitable<JobOutcome> read(Work work);
    asio::awaitable<JobOutcome> status(Work const& work);
    asio::awaitable<JobOutcome> list(Work const& work);
    asio::awaitable<ApiResult<std::vector<Ticket>>> most_urgent(TicketQuery query,
                                                                std::vector<Ticket> const& oldest);

    asio::awaitable<JobOutcome> answer(Work const& work, CommandReply reply);
    // A transient error retries the job; any other is told to the person before the job fails.
    asio::awaitable<JobOutcome> give_up(Work const& work, ApiError error, std::string_view what);
    asio::awaitable<JobOutcome> answer(Work const& work, std::string text) {
        return answer(work, CommandReply{std::move(text), std::nullopt});
    }
    // Slack markup as Zendesk text, mentions named.
    asio::awaitable<std::string> readable(std::string markup);

    Settings const& settings_;
    Chat& chat_;
    TicketDesk& desk_;
    ThreadLedger& ledger_;
    Clock const& clock_;
    CommandObserver& observer_;
    Permissions permissions_;
    AgentDirectory directory_;
    SlaAnswer sla_;
};

// "3d", "5h", "12m": how long ago, for lists.
std::string age_text(std::chrono::milliseconds age);
// The one line a ticket's thread gets when someone changed the ticket from Slack.
std::string status_line(Command const& command, std::string_view slack_user);

}  // namespace tb::bot
