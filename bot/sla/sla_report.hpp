#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "bot/clock.hpp"
#include "bot/config/settings.hpp"
#include "bot/ports/sla_book.hpp"
#include "bot/sla/working_calendar.hpp"

namespace tb::bot {

enum class ReportBy { all, group, priority, segment };

// How one policy did for one bucket of tickets (all of them, or one group, priority or segment).
struct PolicyAttainment {
    SlaPolicy policy = SlaPolicy::first_reply;
    std::string bucket;  // empty when not grouped
    int met = 0;
    int breached = 0;
    int open = 0;  // still running or paused, not late yet: not counted either way
    double target = 0.0;

    int decided() const { return met + breached; }
    double share() const { return decided() == 0 ? 1.0 : static_cast<double>(met) / decided(); }
    bool meets_target() const { return share() >= target; }
};

struct Breach {
    TicketId ticket_id = 0;
    SlaPolicy policy = SlaPolicy::first_reply;
    std::chrono::milliseconds late{};  // working time past the deadline (until done, or now)
};

struct SlaReport {
    int tickets = 0;
    std::vector<PolicyAttainment> rows;  // first reply then resolution, each bucket in name order
    std::vector<Breach> worst;           // the latest first, at most `worst_count`
};

// Attainment of the first-reply and resolution policies for the tickets created in a period
// (`records`), as their histories stand at `now`.
SlaReport build_sla_report(std::vector<SlaRecord> const& records, SlaSettings const& sla,
                           WorkingCalendar const& calendar, Instant now, ReportBy by, std::size_t worst_count = 5);

char const* policy_label(SlaPolicy policy);  // "first reply", "resolution", "pending too long"
std::string percent_text(double share);                    // 0.842 → "84.2%"
std::string hours_minutes(std::chrono::milliseconds span);  // "17h 0m"

}  // namespace tb::bot
