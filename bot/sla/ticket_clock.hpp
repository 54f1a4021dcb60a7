#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bot/clock.hpp"
#include "bot/config/settings.hpp"
#include "bot/sla/working_calendar.hpp"

namespace tb::bot {

// Something that happened to a ticket and moves its SLA clocks.
struct SlaEvent {
    enum class Kind { agent_public_reply, requester_reply, status_changed };
    Instant at{};
    Kind kind = Kind::status_changed;
    std::string
        status{};  // status_changed: the new status (new, open, pending, hold, solved, closed)
};

// Everything a ticket's deadlines follow from, so they can be recomputed exactly at any time.
struct SlaHistory {
    Instant created{};
    std::vector<std::string> tags{};
    std::optional<std::int64_t> organization_id{};
    std::vector<SlaEvent> events{};  // in any order
};

enum class SlaPolicy { first_reply, resolution, pending_too_long };

struct PolicyState {
    enum class Phase { running, paused, met, breached, not_applicable };
    SlaPolicy policy = SlaPolicy::first_reply;
    Phase phase = Phase::not_applicable;
    std::optional<Instant> deadline{};     // while the clock runs, even past it
    std::optional<Instant> warn_at{};      // warn_before ahead of it, not before the clock started
    std::optional<Instant> finished_at{};  // when the clock stopped for good
    std::optional<Instant> since{};        // pending too long: when the wait began
    bool breached = false;                 // the deadline passed before the clock stopped
    std::chrono::minutes working_used{};
    friend bool operator==(PolicyState const&, PolicyState const&) = default;
};

struct TicketSla {
    std::string segment;  // empty: the config's defaults apply
    PolicyState first_reply;
    PolicyState resolution;
    PolicyState pending_too_long;
    friend bool operator==(TicketSla const&, TicketSla const&) = default;
};

// The ticket's SLA as of `now`; events after `now` are not yet known. A deadline is met by what
// happens strictly before it.
// - first reply: created → the first agent public reply. Solving the ticket before any reply stops
//   it too: breached when already late, else not applicable.
// - resolution: created → solved or closed, paused while in `resolution_pauses`; a reopen resumes
//   it with the working time already used.
// - pending too long: from entering pending, or the requester's latest reply while pending; not
//   applicable when the ticket is not pending.
// Events at the same instant are taken in a fixed order, so arrival order never matters.
TicketSla evaluate_sla(SlaHistory const& history, SlaSettings const& sla,
                       WorkingCalendar const& calendar, Instant now);

// The earliest warning or deadline after `now`: when the ticket's SLA next changes by time alone.
// Nothing when only a new event can change it.
std::optional<Instant> next_sla_change(TicketSla const& sla, Instant now);

}  // namespace tb::bot
