#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "bot/commands/group_match.hpp"
#include "bot/commands/ticket_commands.hpp"
#include "bot/tickets/ticket_card.hpp"
#include "bot/tickets/ticket_flows.hpp"

namespace tb::bot {
namespace {

constexpr std::size_t kListPage = 15;
constexpr std::size_t kListFetch = 100;

// High before Normal before Low, as the team works.
constexpr std::array<std::string_view, 4> kTriageOrder{"urgent", "high", "normal", "low"};

// Unset (or unknown) counts as normal, third in the order.
std::size_t priority_rank(std::string_view priority) {
    auto const it = std::find(kTriageOrder.begin(), kTriageOrder.end(), priority);
    return it == kTriageOrder.end() ? 2 : static_cast<std::size_t>(it - kTriageOrder.begin());
}

std::string field_or(std::string const& value, char const* none) { return value.empty() ? none : value; }

}  // namespace

// A page of `query`'s tickets, most urgent first and oldest first within a priority; tickets
// with no priority come last, from `oldest` (what the plain search found).
asio::awaitable<ApiResult<std::vector<Ticket>>> TicketCommands::most_urgent(
    TicketQuery query, std::vector<Ticket> const& oldest) {
    std::vector<Ticket> out;
    for (auto const priority : kTriageOrder) {
        if (out.size() >= kListPage) break;
        query.priority = std::string{priority};
        query.limit = kListPage - out.size();
        auto page = co_await desk_.search(query);
        if (!page) co_return page.error();
        for (auto& t : page->tickets) out.push_back(std::move(t));
    }
    for (auto const& t : oldest) {
        if (out.size() >= kListPage) break;
        if (t.priority.empty()) out.push_back(t);
    }
    co_return out;
}

std::string age_text(std::chrono::milliseconds age) {
    using namespace std::chrono;
    if (age < hours{1}) return std::to_string(std::max<std::int64_t>(0, duration_cast<minutes>(age).count())) + "m";
    if (age < hours{24}) return std::to_string(duration_cast<hours>(age).count()) + "h";
    return std::to_string(duration_cast<hours>(age).count() / 24) + "d";
}

asio::awaitable<JobOutcome> TicketCommands::read(Work work) {
    switch (work.command.verb) {
        case Verb::status: co_return co_await status(work);
        case Verb::list: co_return co_await list(work);
        case Verb::sla: {
            observer_.finished(Verb::sla, "answered");
            std::string text = "Service levels are not kept by this service.";
            if (sla_) text = co_await sla_(work.command.ticket);
            co_return co_await answer(work, std::move(text));
        }
        default: co_return co_await status(work);
    }
}

asio::awaitable<JobOutcome> TicketCommands::status(Work const& work) {
    auto const id = *work.command.ticket;
    auto const ticket = co_await desk_.get(id);
    if (!ticket) {
        if (ticket.error().kind != ApiError::Kind::not_found) co_return outcome_of(ticket.error(), "get ticket");
        observer_.finished(Verb::status, "not_found");
        auto text = "There is no ticket #" + std::to_string(id) + " in Zendesk.";
        co_return co_await answer(work, std::move(text));
    }
    auto const card = co_await ticket_card(desk_, *ticket, std::nullopt);
    auto text = "*<" + card.url + "|#" + std::to_string(id) + ">* " + card.subject + "\n" +
                "Status: " + card.status + " · Priority: " + field_or(card.priority, "none") +
                " · Group: " + field_or(card.group, "none") + " · Assignee: " + field_or(card.assignee, "unassigned");
    if (ticket->created_at != Instant{}) text += " · Opened " + age_text(clock_.now() - ticket->created_at) + " ago";
    if (auto const record = co_await ledger_.find_by_ticket(id); record && *record) {
        if (auto const link = co_await chat_.permalink((*record)->key.channel, (*record)->key.thread_ts)) {
            text += "\nSlack thread: " + *link;
        }
    }
    observer_.finished(Verb::status, "answered");
    co_return co_await answer(work, std::move(text));
}

asio::awaitable<JobOutcome> TicketCommands::list(Work const& work) {
    TicketQuery query;
    query.limit = kListFetch;
    std::string title = "Open tickets";
    switch (work.command.scope) {
        case ListScope::open: break;
        case ListScope::mine: {
            auto const agent = co_await directory_.find(work.user);
            if (!agent) co_return outcome_of(agent.error(), "who is asking");
            if (!agent->is_agent()) {
                auto text = std::string{"You are not a Zendesk agent (no agent has your Slack e-mail), so no tickets are yours."};
                co_return co_await answer(work, std::move(text));
            }
            query.scope = TicketQuery::Scope::assigned_to;
            query.assignee = agent->desk->id;
            title = "Your open tickets";
            break;
        }
        case ListScope::unassigned:
            query.scope = TicketQuery::Scope::unassigned;
            title = "Unassigned tickets";
            break;
        case ListScope::group: {
            auto const groups = co_await desk_.groups();
            if (!groups) co_return outcome_of(groups.error(), "groups");
            auto const typed = co_await readable(work.command.text);
            auto const matched = match_group(typed, *groups);
            if (auto const* group = std::get_if<DeskGroup>(&matched)) {
                query.scope = TicketQuery::Scope::in_group;
                query.group = group->id;
                title = "Open tickets in " + group->name;
                break;
            }
            auto text = "There is no single group called “" + work.command.text + "”.";
            co_return co_await answer(work, std::move(text));
        }
        case ListScope::breaching: {
            std::string text = "Service levels are not kept by this service.";
            if (sla_) text = co_await sla_(std::nullopt);
            co_return co_await answer(work, std::move(text));
        }
    }
    auto page = co_await desk_.search(query);
    if (!page) co_return outcome_of(page.error(), "search");
    auto tickets = std::move(page->tickets);
    if (page->total > tickets.size()) {
        // More open than one search returns: the oldest of them may hold none of the urgent ones.
        // Ask for each priority in turn, most urgent first, until the page is full.
        auto by_priority = co_await most_urgent(query, tickets);
        if (!by_priority) co_return outcome_of(by_priority.error(), "search");
        tickets = std::move(*by_priority);
    }
    std::stable_sort(tickets.begin(), tickets.end(), [](Ticket const& a, Ticket const& b) {
        return priority_rank(a.priority) < priority_rank(b.priority);
    });
    TicketListing listing;
    listing.title = title;
    std::map<DeskUserId, std::string> names;
    auto const now = clock_.now();
    for (auto const& t : tickets) {
        if (listing.lines.size() == kListPage) break;
        TicketLine line;
        line.ticket_id = t.id;
        line.url = desk_.agent_url(t.id);
        line.subject = t.subject;
        line.priority = t.priority;
        line.status = t.status;
        if (t.assignee_id) {
            if (!names.contains(*t.assignee_id)) {
                auto const name = co_await desk_.user_name(*t.assignee_id);
                names[*t.assignee_id] = name ? *name : "#" + std::to_string(*t.assignee_id);
            }
            line.assignee = names[*t.assignee_id];
        }
        if (t.created_at != Instant{}) line.age = age_text(now - t.created_at);
        listing.lines.push_back(std::move(line));
    }
    listing.more = std::max(page->total, tickets.size()) - listing.lines.size();
    auto text = listing.lines.empty() ? title + ": none." : title + ": " + std::to_string(page->total) + ".";
    observer_.finished(Verb::list, "answered");
    CommandReply reply{std::move(text), std::move(listing)};
    co_return co_await answer(work, std::move(reply));
}

}  // namespace tb::bot
