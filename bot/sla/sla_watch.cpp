#include "bot/sla/sla_watch.hpp"

#include <optional>
#include <utility>

#include "bot/sla/sla_report.hpp"
#include "bot/sync/sync_lines.hpp"
#include "bot/tickets/markup.hpp"
#include "bot/tickets/ticket_flows.hpp"

namespace tb::bot {
namespace {

// A tick takes at most this many due tickets; the rest are still due at the next tick.
constexpr std::size_t kPerTick = 200;
constexpr char const* kAnnounced = "announced";

char const* policy_key(SlaPolicy policy) {
    switch (policy) {
        case SlaPolicy::first_reply: return "first_reply";
        case SlaPolicy::resolution: return "resolution";
        case SlaPolicy::pending_too_long: return "pending";
    }
    return "sla";
}

// "3h 20m" of working time.
std::string span_text(std::chrono::milliseconds span) {
    auto const minutes = std::chrono::duration_cast<std::chrono::minutes>(span).count();
    auto const hours = minutes / 60;
    if (hours == 0) return std::to_string(minutes) + "m";
    auto const rest = minutes % 60;
    return std::to_string(hours) + "h" + (rest == 0 ? std::string{} : " " + std::to_string(rest) + "m");
}

std::optional<SlaEvent> event_of(DeskEvent const& e) {
    switch (e.kind) {
        case DeskEvent::Kind::status_changed:
            return SlaEvent{e.time, SlaEvent::Kind::status_changed, e.current};
        case DeskEvent::Kind::comment_added:
            if (!e.comment_public) return std::nullopt;
            return SlaEvent{e.time, e.comment_by_staff ? SlaEvent::Kind::agent_public_reply : SlaEvent::Kind::requester_reply,
                            {}};
        default:
            return std::nullopt;
    }
}

}  // namespace

SlaWatch::SlaWatch(Settings const& settings, WorkingCalendar const& calendar, SlaBook& book, ThreadLedger& ledger,
                   Chat& chat, TicketDesk& desk, Clock const& clock)
    : settings_{settings}, calendar_{calendar}, book_{book}, ledger_{ledger}, chat_{chat}, desk_{desk}, clock_{clock} {}

asio::awaitable<Result<void>> SlaWatch::opened(Ticket ticket) {
    if (auto followed = co_await book_.follow(ticket.id, clock_.reading(ticket.created_at), ticket.tags, ticket.organization_id); !followed) {
        co_return followed;
    }
    std::optional<std::string> group;
    if (ticket.group_id) {
        auto const name = co_await desk_.group_name(*ticket.group_id);
        group = name ? *name : std::to_string(*ticket.group_id);
    }
    if (auto described = co_await book_.describe(ticket.id, group, ticket.priority); !described) co_return described;
    auto const record = co_await book_.record(ticket.id);
    if (!record) co_return record.error();
    if (!*record) co_return Result<void>{};
    co_return co_await reschedule(**record, clock_.now());
}

asio::awaitable<JobOutcome> SlaWatch::observed(DeskEvent event, std::string key) {
    if (event.kind == DeskEvent::Kind::priority_changed || event.kind == DeskEvent::Kind::group_changed) {
        std::optional<std::string> group;
        std::optional<std::string> priority;
        if (event.kind == DeskEvent::Kind::priority_changed) priority = event.current;
        if (event.kind == DeskEvent::Kind::group_changed && event.current_id) {
            auto const name = co_await desk_.group_name(*event.current_id);
            group = name ? *name : event.current;
        }
        auto const described = co_await book_.describe(event.ticket_id, group, priority);
        if (!described) co_return store_outcome(described.error(), "sla describe");
        co_return JobOutcome::done();
    }
    event.time = clock_.reading(event.time);
    auto const happened = event_of(event);
    if (!happened) co_return JobOutcome::done();
    if (event.comment_id) key = comment_key(*event.comment_id);
    auto const added = co_await book_.add(event.ticket_id, std::move(key), *happened);
    if (!added) co_return store_outcome(added.error(), "sla event");
    if (!*added) co_return JobOutcome::done();  // known, or not a followed ticket
    auto const record = co_await book_.record(event.ticket_id);
    if (!record) co_return store_outcome(record.error(), "sla record");
    if (!*record) co_return JobOutcome::done();
    if (auto scheduled = co_await reschedule(**record, clock_.now()); !scheduled) {
        co_return store_outcome(scheduled.error(), "sla schedule");
    }
    co_return JobOutcome::done();
}

asio::awaitable<JobOutcome> SlaWatch::caught_up(Ticket ticket) {
    auto const record = co_await book_.record(ticket.id);
    if (!record) co_return store_outcome(record.error(), "sla record");
    if (!*record) co_return JobOutcome::done();
    auto const& history = (*record)->history;
    std::string status = "new";
    Instant status_at{};
    for (auto const& e : history.events) {
        if (e.kind == SlaEvent::Kind::status_changed && e.at >= status_at) {
            status = e.status;
            status_at = e.at;
        }
    }
    if (ticket.status != status) {
        auto key = "status:" + ticket.status + ":" + std::to_string(to_unix_ms(ticket.updated_at));
        SlaEvent const changed{clock_.reading(ticket.updated_at), SlaEvent::Kind::status_changed, ticket.status};
        auto const added = co_await book_.add(ticket.id, std::move(key), changed);
        if (!added) co_return store_outcome(added.error(), "sla event");
    }
    // The export lists every new ticket; one nobody has touched since has no replies to learn.
    ApiResult<std::vector<DeskComment>> comments = std::vector<DeskComment>{};
    if (ticket.updated_at > ticket.created_at) comments = co_await desk_.comments(ticket.id);
    if (!comments) co_return outcome_of(comments.error(), "ticket comments");
    for (auto const& c : *comments) {
        // The first comment is the request itself, written when the ticket was created.
        auto const written = clock_.reading(c.created_at);
        if (!c.is_public || !c.author_id || written <= history.created) continue;
        auto const author = co_await desk_.person(*c.author_id);
        if (!author) {
            if (author.error().kind == ApiError::Kind::not_found) continue;
            co_return outcome_of(author.error(), "users/show");
        }
        auto const kind = author->is_agent() ? SlaEvent::Kind::agent_public_reply : SlaEvent::Kind::requester_reply;
        SlaEvent const replied{written, kind, {}};
        auto const added = co_await book_.add(ticket.id, comment_key(c.id), replied);
        if (!added) co_return store_outcome(added.error(), "sla event");
    }
    auto const updated = co_await book_.record(ticket.id);
    if (!updated) co_return store_outcome(updated.error(), "sla record");
    if (*updated) {
        if (auto scheduled = co_await reschedule(**updated, clock_.now()); !scheduled) {
            co_return store_outcome(scheduled.error(), "sla schedule");
        }
    }
    co_return JobOutcome::done();
}

asio::awaitable<Result<void>> SlaWatch::reschedule(SlaRecord const& record, Instant now) {
    auto const sla = evaluate_sla(record.history, settings_.sla, calendar_, now);
    co_return co_await schedule(record.ticket_id, sla, now);
}

asio::awaitable<Result<void>> SlaWatch::schedule(TicketId id, TicketSla const& sla, Instant now) {
    auto const& pending = sla.pending_too_long;
    std::optional<Instant> overdue;
    if (pending.phase == PolicyState::Phase::breached) overdue = pending.deadline;
    co_return co_await book_.schedule(id, next_sla_change(sla, now), overdue);
}

asio::awaitable<JobOutcome> SlaWatch::scan() {
    auto const turn = co_await scanning_.acquire("scan");
    auto const now = clock_.now();
    auto const due = co_await book_.due(now, kPerTick);
    if (!due) co_return store_outcome(due.error(), "sla due");
    // A lasting failure (the alert channel is gone, a ticket deleted) does not hold the other
    // tickets; the tick ends failed with its reason, so the runner logs and counts it.
    std::optional<JobOutcome> lasting;
    for (auto const id : *due) {
        auto const looked = co_await look_at(id, now);
        if (looked.kind == JobOutcome::Kind::retry) co_return looked;
        if (looked.kind == JobOutcome::Kind::fail && !lasting) lasting = looked;
    }
    auto const digest = co_await pending_digest(now);
    if (digest.kind == JobOutcome::Kind::done && lasting) co_return *lasting;
    co_return digest;
}

asio::awaitable<JobOutcome> SlaWatch::look_at(TicketId id, Instant now) {
    auto const record = co_await book_.record(id);
    if (!record) co_return store_outcome(record.error(), "sla record");
    if (!*record) co_return JobOutcome::done();
    auto const sla = evaluate_sla((*record)->history, settings_.sla, calendar_, now);
    // Pending too long goes to the daily digest (pending_digest.cpp), not to alerts.
    auto lasting = JobOutcome::done();
    for (auto const* state : {&sla.first_reply, &sla.resolution}) {
        bool const breach = state->phase == PolicyState::Phase::breached;
        bool const warn = state->phase == PolicyState::Phase::running && state->warn_at && *state->warn_at <= now;
        if (!breach && !warn) continue;
        // Only a passing failure stops here; a lasting one (the ticket is gone, the alert channel
        // refused) must not hold the ticket's next look.
        auto const told = co_await announce(id, *state, breach, now);
        if (told.kind == JobOutcome::Kind::retry) co_return told;
        if (told.kind == JobOutcome::Kind::fail) lasting = told;
    }
    if (auto scheduled = co_await schedule(id, sla, now); !scheduled) {
        co_return store_outcome(scheduled.error(), "sla schedule");
    }
    co_return lasting;
}

// Once per (ticket, policy, kind), whatever restarts, replicas or retries happen: in the alert
// channel and then in the thread, each part marked when done.
asio::awaitable<JobOutcome> SlaWatch::announce(TicketId id, PolicyState const& state, bool breach, Instant now) {
    auto const key = "sla:" + std::to_string(id) + ":" + policy_key(state.policy) + (breach ? ":breach" : ":warning");
    auto const in_channel = co_await ledger_.step_done(key, "alert channel");
    auto const in_thread = co_await ledger_.step_done(key, "thread");
    if (!in_channel || !in_thread) co_return store_outcome(in_channel ? in_thread.error() : in_channel.error(), "sla step");
    if (*in_channel && *in_thread) co_return JobOutcome::done();
    auto const ticket = co_await desk_.get(id);
    if (!ticket) co_return outcome_of(ticket.error(), "get ticket");
    std::string assignee = "nobody";
    if (ticket->assignee_id) {
        auto const name = co_await desk_.user_name(*ticket->assignee_id);
        assignee = name ? "*" + escape_slack_text(*name) + "*" : "agent " + std::to_string(*ticket->assignee_id);
    }
    auto const text = alert_text(*ticket, assignee, state, breach, now);
    // A channel that refuses for good (archived, the bot removed) is told no more; the thread still is.
    auto lasting = JobOutcome::done();
    if (!*in_channel && !settings_.slack.alert_channel.empty()) {
        auto const posted = co_await chat_.post(settings_.slack.alert_channel, "", text);
        if (!posted) {
            lasting = outcome_of(posted.error(), "chat.postMessage to the alert channel " + settings_.slack.alert_channel);
            if (lasting.kind == JobOutcome::Kind::retry) co_return lasting;
        }
    }
    if (!*in_channel) {
        if (auto marked = co_await ledger_.mark_step(key, "alert channel"); !marked) co_return store_outcome(marked.error(), "sla step");
    }
    auto const thread = co_await ledger_.find_by_ticket(id);
    if (!thread) co_return store_outcome(thread.error(), "find thread");
    if (*thread) {
        auto const posted = co_await chat_.post((*thread)->key.channel, (*thread)->key.thread_ts, text);
        if (!posted) co_return outcome_of(posted.error(), "chat.postMessage");
    }
    if (auto marked = co_await ledger_.mark_step(key, "thread"); !marked) co_return store_outcome(marked.error(), "sla step");
    co_return lasting;
}

std::string SlaWatch::alert_text(Ticket const& ticket, std::string const& assignee, PolicyState const& state,
                                 bool breach, Instant now) const {
    auto const link = "<" + desk_.agent_url(ticket.id) + "|" + ticket_ref(ticket.id) + ">";
    auto text = std::string{breach ? ":rotating_light: " : ":hourglass_flowing_sand: "} + link + " “" +
                escape_slack_text(ticket.subject) + "”: ";
    auto const policy = std::string{policy_label(state.policy)};
    auto const due = state.deadline ? calendar_.local_text(*state.deadline) : std::string{"?"};
    if (breach) {
        auto const late = state.deadline ? calendar_.elapsed(*state.deadline, state.finished_at.value_or(now))
                                         : std::chrono::milliseconds{0};
        text += policy + " breached, due " + due + " (" + span_text(late) + " of working time late)";
    } else {
        auto const left = state.deadline ? calendar_.elapsed(now, *state.deadline) : std::chrono::milliseconds{0};
        text += policy + " due " + due + ", " + span_text(left) + " of working time left";
    }
    return text + ". Assigned to " + assignee + ".";
}

}  // namespace tb::bot
