#include "bot/sla/sla_report.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>

#include "bot/sla/sla_terms.hpp"
#include "bot/sla/ticket_clock.hpp"

namespace tb::bot {
namespace {

std::string bucket_of(SlaRecord const& record, SlaSettings const& sla, ReportBy by) {
    switch (by) {
        case ReportBy::all: return {};
        case ReportBy::group: return record.group.empty() ? "(no group)" : record.group;
        case ReportBy::priority: return record.priority.empty() ? "(no priority)" : record.priority;
        case ReportBy::segment: {
            auto const terms = terms_for(sla, record.history.tags, record.history.organization_id);
            return terms.segment.empty() ? "(default)" : terms.segment;
        }
    }
    return {};
}

double target_of(SlaTerms const& terms, SlaPolicy policy) {
    return policy == SlaPolicy::first_reply ? terms.targets.first_reply : terms.targets.resolution;
}

}  // namespace

char const* policy_label(SlaPolicy policy) {
    switch (policy) {
        case SlaPolicy::first_reply: return "first reply";
        case SlaPolicy::resolution: return "resolution";
        case SlaPolicy::pending_too_long: return "pending too long";
    }
    return "service level";
}

std::string percent_text(double share) {
    char text[16];
    std::snprintf(text, sizeof text, "%.1f%%", share * 100.0);
    return text;
}

std::string hours_minutes(std::chrono::milliseconds span) {
    auto const minutes = std::chrono::duration_cast<std::chrono::minutes>(span).count();
    return std::to_string(minutes / 60) + "h " + std::to_string(minutes % 60) + "m";
}

SlaReport build_sla_report(std::vector<SlaRecord> const& records, SlaSettings const& sla,
                           WorkingCalendar const& calendar, Instant now, ReportBy by, std::size_t worst_count) {
    SlaReport report;
    report.tickets = static_cast<int>(records.size());
    std::map<std::pair<SlaPolicy, std::string>, PolicyAttainment> rows;
    auto const defaults = terms_for(sla, {}, std::nullopt);
    for (auto const& record : records) {
        auto const state = evaluate_sla(record.history, sla, calendar, now);
        auto const terms = terms_for(sla, record.history.tags, record.history.organization_id);
        auto const bucket = bucket_of(record, sla, by);
        for (auto const* policy : {&state.first_reply, &state.resolution}) {
            if (policy->phase == PolicyState::Phase::not_applicable) continue;
            auto& row = rows[{policy->policy, bucket}];
            row.policy = policy->policy;
            row.bucket = bucket;
            // With segments the target is the segment's; across segments, the defaults'.
            row.target = target_of(by == ReportBy::segment ? terms : defaults, policy->policy);
            if (policy->phase == PolicyState::Phase::met) ++row.met;
            else if (policy->phase == PolicyState::Phase::breached) ++row.breached;
            else ++row.open;
            if (policy->phase == PolicyState::Phase::breached) {
                // A finished clock keeps no deadline: its lateness is the working time it used
                // beyond the target.
                auto const allowed = calendar.duration(policy->policy == SlaPolicy::first_reply ? terms.first_reply
                                                                                                 : terms.resolution);
                auto const late = policy->deadline ? calendar.elapsed(*policy->deadline, now)
                                                   : std::chrono::milliseconds{policy->working_used} - allowed;
                report.worst.push_back({record.ticket_id, policy->policy, late});
            }
        }
    }
    for (auto& [key, row] : rows) report.rows.push_back(std::move(row));
    std::stable_sort(report.worst.begin(), report.worst.end(),
                     [](Breach const& a, Breach const& b) { return a.late > b.late; });
    if (report.worst.size() > worst_count) report.worst.resize(worst_count);
    return report;
}

}  // namespace tb::bot
