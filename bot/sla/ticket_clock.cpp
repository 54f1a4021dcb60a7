#include "bot/sla/ticket_clock.hpp"

#include <algorithm>
#include <string_view>
#include <tuple>

#include "bot/sla/sla_terms.hpp"

namespace tb::bot {
namespace {

using std::chrono::milliseconds;
using Kind = SlaEvent::Kind;
using Phase = PolicyState::Phase;

bool is_finished(std::string_view status) { return status == "solved" || status == "closed"; }

// Known events in time order; one dated before the ticket (clock skew) counts at its creation.
std::vector<SlaEvent> known_in_order(SlaHistory const& history, Instant now) {
    std::vector<SlaEvent> events;
    for (auto const& event : history.events) {
        if (event.at > now) continue;
        events.push_back(event);
        events.back().at = std::max(event.at, history.created);
    }
    std::sort(events.begin(), events.end(), [](SlaEvent const& a, SlaEvent const& b) {
        return std::tie(a.at, a.kind, a.status) < std::tie(b.at, b.kind, b.status);
    });
    return events;
}

class PolicyClock {
public:
    PolicyClock(WorkingCalendar const& calendar, milliseconds warn_before)
        : calendar_{calendar}, warn_before_{warn_before} {}

    // The clock has run since `since` with `remaining` working time left, and still runs at `now`.
    void running(PolicyState& state, Instant since, milliseconds remaining, Instant now) const {
        auto const deadline = calendar_.add(since, remaining);
        state.deadline = deadline;
        state.warn_at = std::max(calendar_.subtract(deadline, warn_before_), since);
        state.breached = state.breached || now >= deadline;
        state.phase = state.breached ? Phase::breached : Phase::running;
    }

    void finished(PolicyState& state, Instant at) const {
        state.finished_at = at;
        state.phase = state.breached ? Phase::breached : Phase::met;
    }

    std::chrono::minutes minutes(milliseconds working) const {
        return std::chrono::floor<std::chrono::minutes>(working);
    }

    WorkingCalendar const& calendar() const { return calendar_; }

private:
    WorkingCalendar const& calendar_;
    milliseconds warn_before_;
};

PolicyState first_reply(std::vector<SlaEvent> const& events, Instant created, milliseconds target,
                        PolicyClock const& clock, Instant now) {
    PolicyState state{.policy = SlaPolicy::first_reply};
    auto const deadline = clock.calendar().add(created, target);
    auto const stop = std::find_if(events.begin(), events.end(), [](SlaEvent const& event) {
        return event.kind == Kind::agent_public_reply ||
               (event.kind == Kind::status_changed && is_finished(event.status));
    });
    if (stop == events.end()) {
        state.working_used = clock.minutes(clock.calendar().elapsed(created, now));
        clock.running(state, created, target, now);
        return state;
    }
    state.working_used = clock.minutes(clock.calendar().elapsed(created, stop->at));
    state.breached = stop->at >= deadline;
    if (stop->kind == Kind::agent_public_reply || state.breached) {
        clock.finished(state, stop->at);
    } else {
        state.finished_at = stop->at;  // solved in time without a public reply: nothing to measure
    }
    return state;
}

PolicyState resolution(std::vector<SlaEvent> const& events, Instant created, milliseconds target,
                       std::vector<std::string> const& pauses, PolicyClock const& clock,
                       Instant now) {
    auto const runs_in = [&](std::string_view status) {
        return !is_finished(status) &&
               std::find(pauses.begin(), pauses.end(), status) == pauses.end();
    };
    PolicyState state{.policy = SlaPolicy::resolution};
    std::string status = "new";
    Instant since = created;  // start of the current running stretch
    milliseconds used{0};     // working time of the stretches before it
    std::optional<Instant> solved_at;
    for (auto const& event : events) {
        if (event.kind != Kind::status_changed) continue;
        bool const was_running = runs_in(status);
        if (was_running && !runs_in(event.status)) {
            if (event.at >= clock.calendar().add(since, target - used)) state.breached = true;
            used += clock.calendar().elapsed(since, event.at);
        } else if (!was_running && runs_in(event.status)) {
            since = event.at;
        }
        if (!is_finished(event.status)) {
            solved_at.reset();
        } else if (!solved_at) {
            solved_at = event.at;
        }
        status = event.status;
    }
    if (solved_at) {
        state.working_used = clock.minutes(used);
        clock.finished(state, *solved_at);
    } else if (runs_in(status)) {
        state.working_used = clock.minutes(used + clock.calendar().elapsed(since, now));
        clock.running(state, since, target - used, now);
    } else {
        state.working_used = clock.minutes(used);
        state.phase = Phase::paused;
    }
    return state;
}

PolicyState pending_too_long(std::vector<SlaEvent> const& events, milliseconds limit,
                             PolicyClock const& clock, Instant now) {
    PolicyState state{.policy = SlaPolicy::pending_too_long};
    std::optional<Instant> pending_since;
    for (auto const& event : events) {
        if (event.kind == Kind::status_changed) {
            if (event.status != "pending") {
                pending_since.reset();
            } else if (!pending_since) {
                pending_since = event.at;
            }
        } else if (event.kind == Kind::requester_reply && pending_since) {
            pending_since = event.at;  // the requester answered: the wait starts again
        }
    }
    if (!pending_since) return state;
    state.since = pending_since;
    state.working_used = clock.minutes(clock.calendar().elapsed(*pending_since, now));
    clock.running(state, *pending_since, limit, now);
    return state;
}

}  // namespace

TicketSla evaluate_sla(SlaHistory const& history, SlaSettings const& sla,
                       WorkingCalendar const& calendar, Instant now) {
    auto const terms = terms_for(sla, history.tags, history.organization_id);
    auto const events = known_in_order(history, now);
    PolicyClock const clock{calendar, calendar.duration(terms.warn_before)};
    return TicketSla{
        .segment = terms.segment,
        .first_reply =
            first_reply(events, history.created, calendar.duration(terms.first_reply), clock, now),
        .resolution = resolution(events, history.created, calendar.duration(terms.resolution),
                                 terms.resolution_pauses, clock, now),
        .pending_too_long =
            pending_too_long(events, calendar.duration(terms.pending_too_long), clock, now),
    };
}

std::optional<Instant> next_sla_change(TicketSla const& sla, Instant now) {
    std::optional<Instant> next;
    auto const consider = [&](std::optional<Instant> const& at) {
        if (at && *at > now && (!next || *at < *next)) next = at;
    };
    for (auto const* state : {&sla.first_reply, &sla.resolution, &sla.pending_too_long}) {
        if (state->phase != Phase::running) continue;
        consider(state->warn_at);
        consider(state->deadline);
    }
    return next;
}

}  // namespace tb::bot
