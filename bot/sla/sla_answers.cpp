#include "bot/sla/sla_report.hpp"
#include "bot/sla/sla_watch.hpp"
#include "bot/sync/sync_lines.hpp"

namespace tb::bot {
namespace {

constexpr std::size_t kSoonListed = 15;

}  // namespace

asio::awaitable<std::string> SlaWatch::explain(std::optional<TicketId> id) {
    if (id) co_return co_await explain_ticket(*id);
    co_return co_await explain_team();
}

asio::awaitable<std::string> SlaWatch::explain_ticket(TicketId id) {
    auto const record = co_await book_.record(id);
    if (!record) co_return std::string{"The SLA store cannot be read just now; try again in a minute."};
    if (!*record) {
        co_return ticket_ref(id) + " is not followed for service levels: only tickets opened from Slack are.";
    }
    auto const now = clock_.now();
    auto const sla = evaluate_sla((*record)->history, settings_.sla, calendar_, now);
    std::string text = "*Service levels of " + ticket_ref(id) + "*" +
                       (sla.segment.empty() ? std::string{} : " (" + sla.segment + ")");
    for (auto const* state : {&sla.first_reply, &sla.resolution, &sla.pending_too_long}) {
        text += "\n• " + std::string{policy_label(state->policy)} + ": ";
        using Phase = PolicyState::Phase;
        switch (state->phase) {
            case Phase::running:
                text += "due " + calendar_.local_text(*state->deadline) + ", " +
                        hours_minutes(calendar_.elapsed(now, *state->deadline)) + " of working time left";
                break;
            case Phase::paused: text += "paused (waiting on the requester or on hold)"; break;
            case Phase::met: text += "met"; break;
            case Phase::breached: text += "breached"; break;
            case Phase::not_applicable: text += "does not apply now"; break;
        }
    }
    co_return text;
}

asio::awaitable<std::string> SlaWatch::explain_team() {
    auto const now = clock_.now();
    auto const local = calendar_.local_text(now);  // "Mon 23 Nov 10:00"
    auto const today = calendar_.local_date(now);
    Date const first{today.year, today.month, 1};
    auto const month = co_await book_.created_between(calendar_.day_begins(first), now);
    if (!month) co_return std::string{"The SLA store cannot be read just now; try again in a minute."};
    auto const report = build_sla_report(*month, settings_.sla, calendar_, now, ReportBy::all);
    std::string text = "*Service levels this month* (" + std::to_string(report.tickets) + " tickets opened from Slack)";
    for (auto const& row : report.rows) {
        text += "\n• " + std::string{policy_label(row.policy)} + ": " + percent_text(row.share()) + " met (target " +
                percent_text(row.target) + ") " + (row.meets_target() ? "✓" : "✗");
    }
    // Late ones among this month's tickets, and any ticket whose next look comes within a day.
    std::vector<SlaRecord> looked = *month;
    if (auto const soon = co_await book_.due(now + std::chrono::hours{24}, 200)) {
        for (auto const id : *soon) {
            auto const record = co_await book_.record(id);
            if (record && *record && (**record).history.created < calendar_.day_begins(first)) looked.push_back(**record);
        }
    }
    std::vector<std::string> late;
    std::vector<std::string> lines;
    for (auto const& record : looked) {
        auto const sla = evaluate_sla(record.history, settings_.sla, calendar_, now);
        for (auto const* state : {&sla.first_reply, &sla.resolution}) {
            if (!state->deadline || state->finished_at) continue;
            auto const line = "• " + ticket_ref(record.ticket_id) + " " + policy_label(state->policy) + " due " +
                              calendar_.local_text(*state->deadline);
            if (state->phase == PolicyState::Phase::breached) late.push_back(line + " (late)");
            else if (state->phase == PolicyState::Phase::running && *state->deadline <= now + std::chrono::hours{24}) {
                lines.push_back(line);
            }
        }
    }
    lines.insert(lines.begin(), late.begin(), late.end());
    text += lines.empty() ? "\nNothing is late or falls due within a day (as of " + local + ")."
                          : "\n*Late, or due within a day:*";
    for (std::size_t i = 0; i < lines.size() && i < kSoonListed; ++i) text += "\n" + lines[i];
    if (lines.size() > kSoonListed) text += "\n…and " + std::to_string(lines.size() - kSoonListed) + " more";
    co_return text;
}

}  // namespace tb::bot
