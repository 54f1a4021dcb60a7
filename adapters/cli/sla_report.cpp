#include "adapters/cli/sla_report.hpp"

#include <ostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

#include "adapters/config/value_formats.hpp"
#include "adapters/store/sqlite/sqlite_sla_book.hpp"
#include "bot/sla/sla_report.hpp"

namespace tb::cli {
namespace {

using bot::PolicyAttainment;
using bot::SlaReport;

void print_table(SlaReport const& report, std::string const& period, std::ostream& out) {
    out << "SLA attainment for tickets created " << period << " (" << report.tickets << " tickets)\n";
    for (auto const& row : report.rows) {
        auto label = std::string{bot::policy_label(row.policy)};
        if (!row.bucket.empty()) label += " [" + row.bucket + "]";
        out << "  " << label << ": " << bot::percent_text(row.share()) << " met (target " << bot::percent_text(row.target) << ") "
            << (row.meets_target() ? "✓" : "✗") << "   " << row.met << " met, " << row.breached << " breached, "
            << row.open << " open\n";
    }
    if (report.rows.empty()) out << "  no tickets were followed in this period\n";
    if (!report.worst.empty()) out << "Worst breaches:\n";
    for (auto const& b : report.worst) {
        out << "  #" << b.ticket_id << "  " << bot::policy_label(b.policy) << "  " << bot::hours_minutes(b.late)
            << " of working time late\n";
    }
}

void print_csv(SlaReport const& report, std::ostream& out) {
    out << "policy,bucket,met,breached,open,attainment,target,meets_target\n";
    for (auto const& row : report.rows) {
        out << bot::policy_label(row.policy) << ",\"" << row.bucket << "\"," << row.met << ',' << row.breached << ','
            << row.open << ',' << row.share() << ',' << row.target << ',' << (row.meets_target() ? "yes" : "no")
            << '\n';
    }
}

void print_json(SlaReport const& report, SlaReportOptions const& options, std::ostream& out) {
    nlohmann::json rows = nlohmann::json::array();
    for (auto const& row : report.rows) {
        rows.push_back({{"policy", bot::policy_label(row.policy)}, {"bucket", row.bucket}, {"met", row.met},
                        {"breached", row.breached}, {"open", row.open}, {"attainment", row.share()},
                        {"target", row.target}, {"meets_target", row.meets_target()}});
    }
    nlohmann::json worst = nlohmann::json::array();
    for (auto const& b : report.worst) {
        worst.push_back({{"ticket", b.ticket_id}, {"policy", bot::policy_label(b.policy)},
                         {"late_minutes", std::chrono::duration_cast<std::chrono::minutes>(b.late).count()}});
    }
    out << nlohmann::json{{"from", options.from}, {"to", options.to}, {"tickets", report.tickets},
                          {"policies", rows}, {"worst_breaches", worst}}
               .dump(2)
        << '\n';
}

}  // namespace

int run_sla_report(SlaReportOptions const& options, bot::Settings const& settings, std::string const& database_url,
                   std::ostream& out, std::ostream& err) {
    auto const from = config::parse_date(options.from);
    auto const to = config::parse_date(options.to);
    if (!from || !to || *to < *from) {
        err << "sla-report: --from and --to must be dates like 2026-11-01, --to not before --from\n";
        return 2;
    }
    bot::ReportBy by = bot::ReportBy::all;
    if (options.by == "group") by = bot::ReportBy::group;
    else if (options.by == "priority") by = bot::ReportBy::priority;
    else if (options.by == "segment") by = bot::ReportBy::segment;
    else if (!options.by.empty()) {
        err << "sla-report: --by must be group, priority or segment\n";
        return 2;
    }
    if (options.format != "table" && options.format != "csv" && options.format != "json") {
        err << "sla-report: --format must be table, csv or json\n";
        return 2;
    }
    constexpr std::string_view kSqlite = "sqlite:";
    if (!database_url.starts_with(kSqlite)) {
        err << "sla-report: DATABASE_URL must be sqlite:PATH\n";
        return 2;
    }
    auto path = database_url.substr(kSqlite.size());
    if (path.starts_with("//")) path = path.substr(2);

    bot::WorkingCalendar const calendar{settings.sla.calendar};
    auto const start = calendar.day_begins(*from);
    auto const end = calendar.day_ends(*to);
    auto book = store::make_sqlite_sla_book(path);
    boost::asio::io_context io;
    auto future = boost::asio::co_spawn(io, book->created_between(start, end), boost::asio::use_future);
    io.run();
    auto const records = future.get();
    if (!records) {
        err << "sla-report: cannot read the store at " << path << '\n';
        return 1;
    }
    auto const now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    auto const report = bot::build_sla_report(*records, settings.sla, calendar, now, by);
    if (options.format == "csv") print_csv(report, out);
    else if (options.format == "json") print_json(report, options, out);
    else print_table(report, options.from + " to " + options.to, out);
    return 0;
}

}  // namespace tb::cli
