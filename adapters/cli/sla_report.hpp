#pragma once

#include <iosfwd>
#include <string>

#include "bot/config/settings.hpp"

namespace tb::cli {

struct SlaReportOptions {
    std::string from;             // YYYY-MM-DD, first day of the period
    std::string to;               // YYYY-MM-DD, last day, included
    std::string format = "table";  // table, csv, json
    std::string by;               // empty, group, priority or segment
};

// `ticketbridge sla-report`: attainment of each policy for the tickets created in the period, from
// the store alone (the service need not run). Days are whole days in the SLA calendar's zone.
// Returns the exit code; problems go to `err`.
int run_sla_report(SlaReportOptions const& options, bot::Settings const& settings, std::string const& database_url,
                   std::ostream& out, std::ostream& err);

}  // namespace tb::cli
