#include "bot/commands/ticket_commands.hpp"

#include <utility>

#include "bot/tickets/markup.hpp"
#include "bot/tickets/ticket_card.hpp"
#include "bot/tickets/ticket_flows.hpp"
#include "bot/tickets/triage.hpp"

namespace tb::bot {
namespace {

constexpr char const* kApplied = "applied";
constexpr char const* kAnnounced = "announced";

std::string ticket_ref(TicketId id) { return "#" + std::to_string(id); }

bool transient(ApiError const& e) {
    return e.kind == ApiError::Kind::unavailable || e.kind == ApiError::Kind::rate_limited;
}

}  // namespace

TicketCommands::TicketCommands(Settings const& settings, Chat& chat, TicketDesk& desk, ThreadLedger& ledger,
                               Clock const& clock, CommandObserver& observer)
    : settings_{settings},
      chat_{chat},
      desk_{desk},
      ledger_{ledger},
      clock_{clock},
      observer_{observer},
      permissions_{settings.slack.authorized, chat, clock},
      directory_{chat, desk, clock} {}

asio::awaitable<JobOutcome> TicketCommands::handle(AgentRequest request, std::string delivery_id) {
    if (auto* command = std::get_if<TicketCommand>(&request)) {
        co_return co_await on_command(std::move(*command), std::move(delivery_id));
    }
    if (auto* action = std::get_if<CardAction>(&request)) {
        co_return co_await on_action(std::move(*action), std::move(delivery_id));
    }
    auto& solved = std::get<SolveSubmitted>(request);
    Command command;
    command.verb = Verb::solve;
    command.ticket = solved.ticket_id;
    command.text = std::move(solved.note);
    Work work{std::move(delivery_id), std::move(solved.user), std::move(solved.channel), {}, std::move(command)};
    co_return co_await change(std::move(work));
}

asio::awaitable<JobOutcome> TicketCommands::on_command(TicketCommand command, std::string delivery) {
    Work work{std::move(delivery), std::move(command.user), std::move(command.channel),
              std::move(command.response_url), {}};
    auto parsed = parse_command(command.text);
    // Mistakes and help were answered when the command arrived (acknowledge()).
    if (std::holds_alternative<CommandError>(parsed)) {
        observer_.finished(Verb::help, "invalid");
        co_return JobOutcome::done();
    }
    work.command = std::get<Command>(std::move(parsed));
    if (work.command.verb == Verb::help) {
        observer_.finished(Verb::help, "answered");
        co_return JobOutcome::done();
    }
    if (changes_ticket(work.command.verb)) co_return co_await change(std::move(work));
    co_return co_await read(std::move(work));
}

asio::awaitable<JobOutcome> TicketCommands::on_action(CardAction action, std::string delivery) {
    if (action.kind == CardAction::Kind::solve) co_return co_await open_solve_form(std::move(action), std::move(delivery));
    Work work{std::move(delivery), action.user, action.channel, action.response_url, {}};
    work.command.ticket = action.ticket_id;
    bool const choosing = action.kind == CardAction::Kind::priority || action.kind == CardAction::Kind::group;
    if (choosing && action.choice.empty()) {
        // Cards posted before the selects had plain Priority and Group buttons.
        observer_.finished(Verb::help, "invalid");
        auto text = "This card is from an older version. Use `/ticket priority " + std::to_string(action.ticket_id) +
                    " high` or `/ticket group " + std::to_string(action.ticket_id) + " <group>`.";
        co_return co_await answer(work, std::move(text));
    }
    switch (action.kind) {
        case CardAction::Kind::take: work.command.verb = Verb::take; break;
        case CardAction::Kind::pending: work.command.verb = Verb::pending; break;
        case CardAction::Kind::group:
            work.command.verb = Verb::group;
            work.command.text = action.choice;
            break;
        case CardAction::Kind::priority: {
            auto const priority = parse_priority(action.choice);
            if (!priority) {
                observer_.finished(Verb::priority, "invalid");
                co_return co_await answer(work, "`" + action.choice + "` is not a priority.");
            }
            work.command.verb = Verb::priority;
            work.command.priority = *priority;
            break;
        }
        case CardAction::Kind::solve_pending: co_return co_await solve_pending(std::move(work));
        case CardAction::Kind::solve: break;
    }
    co_return co_await change(std::move(work));
}

// "Solve with note" on the pending digest: the team's note as the public reply, but only while
// the ticket still waits on the requester; an answer since the digest keeps it open.
asio::awaitable<JobOutcome> TicketCommands::solve_pending(Work work) {
    auto const id = *work.command.ticket;
    work.command.verb = Verb::solve;
    work.command.text = escape_slack_text(settings_.sla.pending_note);
    auto const applied = co_await ledger_.step_done(work.delivery, kApplied);
    if (!applied) co_return store_outcome(applied.error(), "command step");
    if (*applied) co_return co_await change(std::move(work));
    auto const actor = co_await this->actor(work);
    if (!actor) co_return co_await give_up(work, actor.error(), "who is acting");
    if (!*actor) co_return JobOutcome::done();
    auto const ticket = co_await desk_.get(id);
    if (!ticket) {
        if (transient(ticket.error())) co_return outcome_of(ticket.error(), "get ticket");
        observer_.finished(Verb::solve, "not_found");
        co_return co_await answer(work, "There is no ticket " + ticket_ref(id) + " in Zendesk.");
    }
    if (ticket->status != "pending") {
        observer_.finished(Verb::solve, "invalid");
        co_return co_await answer(work, ticket_ref(id) + " is no longer pending (it is " + ticket->status +
                                            " now), so it was not solved.");
    }
    if (!ticket->assignee_id) work.command.assignee = "me";
    co_return co_await change(std::move(work));
}

asio::awaitable<JobOutcome> TicketCommands::open_solve_form(CardAction action, std::string delivery) {
    Work work{std::move(delivery), action.user, action.channel, action.response_url, {}};
    work.command.verb = Verb::solve;
    work.command.ticket = action.ticket_id;
    auto const actor = co_await this->actor(work);
    if (!actor) co_return outcome_of(actor.error(), "who is acting");
    if (!*actor) co_return JobOutcome::done();
    auto const ticket = co_await desk_.get(action.ticket_id);
    if (!ticket) {
        if (ticket.error().kind == ApiError::Kind::not_found) {
            co_return co_await answer(work, "There is no ticket " + ticket_ref(action.ticket_id) + " in Zendesk.");
        }
        co_return outcome_of(ticket.error(), "get ticket");
    }
    SolveDraft draft{action.ticket_id, ticket->subject, action.channel, action.card_ts};
    auto const opened = co_await chat_.open_solve_form(action.trigger_id, std::move(draft));
    if (!opened) {
        if (transient(opened.error())) co_return outcome_of(opened.error(), "views.open");
        // Most often the 3-second trigger expired while the job waited.
        co_return co_await answer(work, "The Solve form could not open in time. Press Solve again, or use `/ticket solve " +
                                            std::to_string(action.ticket_id) + " <note>`.");
    }
    co_return JobOutcome::done();
}

asio::awaitable<ApiResult<std::optional<Agent>>> TicketCommands::actor(Work const& work) {
    using Found = std::optional<Agent>;
    auto const allowed = co_await permissions_.may_change(work.user);
    if (!allowed) co_return allowed.error();
    if (!*allowed) {
        observer_.refused("unauthorized", work.user, work.command.verb);
        co_await answer(work, "Sorry, only the support team can change tickets from Slack. You can still use "
                              "`/ticket status`, `/ticket list`, `/ticket sla` and `/ticket help`.");
        co_return Found{};
    }
    auto agent = co_await directory_.find(work.user);
    if (!agent) co_return agent.error();
    if (!agent->is_agent()) {
        observer_.refused("no_agent", work.user, work.command.verb);
        auto const text = agent->email.empty()
            ? std::string{"Your Slack profile does not share an e-mail address, so I cannot tell which Zendesk agent "
                          "you are. Nothing was changed."}
            : "I could not find a Zendesk agent with your Slack e-mail address (" + agent->email +
                  "). Ask a Zendesk admin to add you as an agent. Nothing was changed.";
        co_await answer(work, text);
        co_return Found{};
    }
    co_return Found{std::move(*agent)};
}

asio::awaitable<JobOutcome> TicketCommands::change(Work work) {
    auto const id = *work.command.ticket;
    auto const applied = co_await ledger_.step_done(work.delivery, kApplied);
    if (!applied) co_return store_outcome(applied.error(), "command step");
    if (!*applied) {
        auto const actor = co_await this->actor(work);
        if (!actor) co_return co_await give_up(work, actor.error(), "who is acting");
        if (!*actor) co_return JobOutcome::done();
        auto planned = co_await plan(work.command, **actor);
        if (!planned) co_return co_await give_up(work, planned.error(), "plan");
        if (auto* problem = std::get_if<std::string>(&*planned)) {
            observer_.finished(work.command.verb, "invalid");
            co_return co_await answer(work, *problem);
        }
        auto& chosen = std::get<Plan>(*planned);
        auto const updated = co_await desk_.update(id, std::move(chosen.change), std::move(chosen.comment));
        if (!updated) {
            auto const& e = updated.error();
            if (transient(e)) co_return outcome_of(e, "update ticket");
            observer_.finished(work.command.verb, e.kind == ApiError::Kind::not_found ? "not_found" : "rejected");
            auto const text = e.kind == ApiError::Kind::not_found ? "There is no ticket " + ticket_ref(id) + " in Zendesk."
                            : e.kind == ApiError::Kind::closed
                                ? ticket_ref(id) + " is closed, and Zendesk does not change closed tickets. "
                                                   "Open a follow-up in Zendesk instead."
                                : "Zendesk did not accept that change to " + ticket_ref(id) + ": " + e.message;
            co_return co_await answer(work, text);
        }
        if (auto marked = co_await ledger_.mark_step(work.delivery, kApplied); !marked) {
            co_return store_outcome(marked.error(), "command step");
        }
        observer_.finished(work.command.verb, "applied");
        auto done = "Done: " + status_line(work.command, work.user);
        if (!done.ends_with('.') && !done.ends_with('!') && !done.ends_with('?')) done += '.';
        co_await answer(work, std::move(done));
    }
    co_return co_await announce(work);
}

asio::awaitable<JobOutcome> TicketCommands::announce(Work const& work) {
    auto const id = *work.command.ticket;
    auto const record = co_await ledger_.find_by_ticket(id);
    if (!record) co_return store_outcome(record.error(), "find thread");
    if (!*record) co_return JobOutcome::done();  // not a ticket the bridge opened: no thread to tell
    auto const& thread = **record;
    auto const announced = co_await ledger_.step_done(work.delivery, kAnnounced);
    if (!announced) co_return store_outcome(announced.error(), "command step");
    if (!*announced) {
        auto const posted = co_await chat_.post(thread.key.channel, thread.key.thread_ts, status_line(work.command, work.user));
        if (!posted) co_return outcome_of(posted.error(), "chat.postMessage");
        if (auto marked = co_await ledger_.mark_step(work.delivery, kAnnounced); !marked) {
            co_return store_outcome(marked.error(), "command step");
        }
    }
    if (thread.card_ts.empty()) co_return JobOutcome::done();
    auto const ticket = co_await desk_.get(id);
    if (!ticket) co_return outcome_of(ticket.error(), "get ticket");
    auto card = co_await ticket_card(desk_, *ticket, thread.follows);
    auto const updated = co_await chat_.update_card(thread.key.channel, thread.card_ts, std::move(card));
    if (!updated && transient(updated.error())) co_return outcome_of(updated.error(), "chat.update");
    // The thread told this change: a catch-up from Zendesk's export must not tell it again.
    if (auto saved = co_await ledger_.show(shown_from(*ticket)); !saved) {
        co_return store_outcome(saved.error(), "shown ticket");
    }
    co_return JobOutcome::done();
}

asio::awaitable<JobOutcome> TicketCommands::give_up(Work const& work, ApiError error, std::string_view what) {
    if (transient(error)) co_return outcome_of(error, what);
    observer_.finished(work.command.verb, "failed");
    auto text = "Sorry, that did not work and nothing was changed: " + error.message;
    co_await answer(work, std::move(text));
    co_return outcome_of(error, what);
}

asio::awaitable<JobOutcome> TicketCommands::answer(Work const& work, CommandReply reply) {
    ApiResult<void> sent;
    if (!work.response_url.empty()) {
        sent = co_await chat_.respond(work.response_url, std::move(reply));
    } else if (!work.channel.empty()) {
        std::string const no_thread;
        sent = co_await chat_.post_ephemeral(work.channel, work.user, no_thread, std::move(reply.text));
    }
    // A lost answer is not worth repeating the work for, unless Slack asked to wait.
    if (!sent && transient(sent.error())) co_return outcome_of(sent.error(), "answer");
    co_return JobOutcome::done();
}

asio::awaitable<std::string> TicketCommands::readable(std::string markup) {
    std::map<std::string, std::string> names;
    for (auto const& id : mentioned_users(markup)) {
        auto const user = co_await chat_.user(id);
        names[id] = user ? user->display() : id;
    }
    co_return slack_to_text(markup, [&names](std::string_view id) {
        auto const it = names.find(std::string{id});
        return it == names.end() ? std::string{} : it->second;
    });
}

}  // namespace tb::bot
