#include "bot/tickets/ticket_flows.hpp"

#include <algorithm>
#include <variant>

#include "bot/tickets/markup.hpp"
#include "bot/tickets/triage.hpp"

namespace tb::bot {

JobOutcome outcome_of(ApiError const& error, std::string_view what) {
    auto reason = std::string{what} + ": " + to_string(error.kind) + " (" + error.message + ")";
    if (error.kind == ApiError::Kind::rate_limited) {
        return JobOutcome::wait(std::move(reason), error.retry_after.value_or(std::chrono::seconds{1}));
    }
    if (error.unanswered) return JobOutcome::unanswered(std::move(reason), error.retry_after);
    auto outcome = error.transient() ? JobOutcome::retry(std::move(reason), error.retry_after)
                                     : JobOutcome::fail(std::move(reason));
    outcome.reach = JobOutcome::Reach::answered;  // a conflict, a refusal: the service is there
    return outcome;
}

JobOutcome store_outcome(error_code ec, std::string_view what) {
    return JobOutcome::retry(std::string{what} + ": store: " + ec.message());
}

TicketFlows::TicketFlows(Settings const& settings, Chat& chat, TicketDesk& desk, ThreadLedger& ledger,
                         Clock const& clock, FlowObserver& observer, FlowLimits limits)
    : settings_{settings},
      chat_{chat},
      desk_{desk},
      ledger_{ledger},
      clock_{clock},
      observer_{observer},
      limits_{limits} {}

asio::awaitable<JobOutcome> TicketFlows::handle(SlackRequest request, std::string delivery_id) {
    if (auto* r = std::get_if<ReactionAdded>(&request)) co_return co_await on_reaction(std::move(*r), delivery_id);
    if (auto* r = std::get_if<ThreadReply>(&request)) co_return co_await on_reply(std::move(*r));
    if (auto* r = std::get_if<MessageEdited>(&request)) co_return co_await on_edit(std::move(*r));
    if (auto* r = std::get_if<MessageDeleted>(&request)) co_return co_await on_delete(std::move(*r));
    if (auto* r = std::get_if<ShortcutUsed>(&request)) co_return co_await on_shortcut(std::move(*r));
    if (auto* r = std::get_if<TicketForm>(&request)) co_return co_await on_form(std::move(*r), delivery_id);
    observer_.ignored(std::get<Ignored>(request).reason);
    co_return JobOutcome::done();
}

asio::awaitable<JobOutcome> TicketFlows::on_reaction(ReactionAdded reaction, std::string delivery) {
    if (reaction.emoji != settings_.slack.ticket_emoji) {
        observer_.ignored("other emoji");
        co_return JobOutcome::done();
    }
    if (find_channel(settings_, reaction.channel) == nullptr) {
        observer_.ignored("unwatched channel");
        co_return JobOutcome::done();
    }
    auto const me = co_await identity();
    if (!me) co_return outcome_of(me.error(), "auth.test");
    if (reaction.user == me->user_id) {
        observer_.ignored("own reaction");
        co_return JobOutcome::done();
    }
    OpenRequest request;
    request.team = reaction.team.empty() ? me->team_id : reaction.team;
    request.channel = std::move(reaction.channel);
    request.message_ts = std::move(reaction.ts);
    request.requested_by = std::move(reaction.user);
    request.delivery = std::move(delivery);
    co_return co_await open(std::move(request));
}

asio::awaitable<JobOutcome> TicketFlows::on_form(TicketForm form, std::string delivery) {
    OpenRequest request;
    request.team = std::move(form.team);
    request.channel = std::move(form.channel);
    request.message_ts = std::move(form.message_ts);
    request.requested_by = std::move(form.user);
    request.delivery = std::move(delivery);
    request.subject = std::move(form.subject);
    request.priority = parse_priority(form.priority).value_or(Priority::normal);
    if (!form.group.empty()) request.group = std::move(form.group);
    co_return co_await open(std::move(request));
}

asio::awaitable<JobOutcome> TicketFlows::on_shortcut(ShortcutUsed shortcut) {
    ThreadKey const key{shortcut.team, shortcut.channel,
                        shortcut.thread_ts.empty() ? shortcut.message_ts : shortcut.thread_ts};
    auto const existing = co_await ledger_.find(key);
    if (!existing) co_return store_outcome(existing.error(), "shortcut");
    if (*existing) {
        auto const text = "This thread already has ticket #" + std::to_string((*existing)->ticket_id) +
                          ": " + desk_.agent_url((*existing)->ticket_id);
        auto const told = co_await chat_.post_ephemeral(shortcut.channel, shortcut.user, key.thread_ts, text);
        co_return told ? JobOutcome::done() : outcome_of(told.error(), "chat.postEphemeral");
    }
    auto const text = slack_to_text(shortcut.message_text);
    auto const routed = triage(settings_, shortcut.channel, text);
    TicketDraft draft;
    draft.team_id = shortcut.team;
    draft.channel = shortcut.channel;
    draft.message_ts = shortcut.message_ts;
    draft.subject = subject_line(text);
    draft.priority = routed.priority;
    draft.group = routed.group.value_or("");
    if (auto groups = co_await form_desk_->group_names()) draft.groups = std::move(*groups);
    auto const opened = co_await chat_.open_ticket_form(shortcut.trigger_id, std::move(draft));
    if (opened) co_return JobOutcome::done();
    // A trigger lives 3 seconds: retrying cannot help, but the user should know to try again.
    auto const sorry = std::string{"I could not open the ticket form in time ("} + opened.error().message +
                       "). Please use the shortcut again.";
    auto const told = co_await chat_.post_ephemeral(shortcut.channel, shortcut.user, key.thread_ts, sorry);
    if (!told && told.error().transient()) co_return outcome_of(told.error(), "chat.postEphemeral");
    co_return JobOutcome::fail("views.open: " + opened.error().message);
}

asio::awaitable<ApiResult<ChatIdentity>> TicketFlows::identity() { co_return co_await chat_.identity(); }

asio::awaitable<std::string> TicketFlows::display_name(std::string user_id) {
    auto const user = co_await chat_.user(user_id);
    co_return user ? user->display() : user_id;
}

std::optional<std::chrono::milliseconds> TicketFlows::update_budget(TicketId id) {
    std::lock_guard lock{budget_mutex_};
    auto const now = clock_.now();
    auto& recent = updates_[id];
    while (!recent.empty() && recent.front() <= now - limits_.update_window) recent.pop_front();
    if (recent.size() >= limits_.updates_per_ticket) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(recent.front() + limits_.update_window - now);
    }
    recent.push_back(now);
    return std::nullopt;
}

}  // namespace tb::bot
