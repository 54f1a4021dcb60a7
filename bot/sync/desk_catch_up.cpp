#include <algorithm>
#include <utility>
#include <vector>

#include "bot/sync/desk_sync.hpp"
#include "bot/sync/sync_lines.hpp"
#include "bot/tickets/markup.hpp"
#include "bot/tickets/triage.hpp"

namespace tb::bot {
namespace {

bool has_tag(Ticket const& ticket, std::string_view tag) {
    return std::find(ticket.tags.begin(), ticket.tags.end(), tag) != ticket.tags.end();
}

bool same_fields(ShownTicket const& a, ShownTicket const& b) {
    return a.status == b.status && a.priority == b.priority && a.group_id == b.group_id &&
           a.assignee_id == b.assignee_id && a.subject == b.subject;
}

}  // namespace

asio::awaitable<JobOutcome> DeskSync::catch_up(Ticket ticket) {
    auto const lock = co_await tickets_.acquire(ticket_ref(ticket.id));
    auto const found = co_await ledger_.find_by_ticket(ticket.id);
    if (!found) co_return store_outcome(found.error(), "find thread");
    if (!*found) co_return JobOutcome::done();
    auto const thread = **found;
    // Zendesk's export lists deleted tickets by status and merged ones by the tag it adds.
    if (ticket.status == "deleted" || has_tag(ticket, "closed_by_merge")) {
        DeskEvent gone;
        gone.kind = ticket.status == "deleted" ? DeskEvent::Kind::deleted : DeskEvent::Kind::merged;
        gone.ticket_id = ticket.id;
        co_return co_await tell_gone(thread, gone);
    }
    auto const shown = co_await ledger_.shown(ticket.id);
    if (!shown) co_return store_outcome(shown.error(), "shown ticket");
    if (*shown && ticket.updated_at <= (*shown)->updated_at) co_return JobOutcome::done();
    if (*shown) {
        auto const self = co_await desk_.self();
        if (!self) co_return outcome_of(self.error(), "users/me");
        auto const comments = co_await post_missed_comments(thread, ticket.id, (*shown)->updated_at, *self);
        if (comments.kind != JobOutcome::Kind::done) co_return comments;
        if (auto line = co_await changes_line(**shown, ticket)) {
            auto key = "caught:" + std::to_string(ticket.id) + ":" + std::to_string(to_unix_ms(ticket.updated_at));
            auto const told = co_await post_once(thread, std::move(key), std::move(*line));
            if (told.kind != JobOutcome::Kind::done) co_return told;
        }
        if (same_fields(**shown, shown_from(ticket))) {
            auto unchanged = shown_from(ticket);
            unchanged.told_until = ticket.updated_at;
            if (auto saved = co_await ledger_.show(unchanged); !saved) co_return store_outcome(saved.error(), "shown");
            co_return JobOutcome::done();
        }
    }
    // Without what the thread showed before nothing was told, so later webhooks still may.
    co_return co_await show(thread, ticket, *shown ? ticket.updated_at : Instant{});
}

// Agents' comments written in Zendesk since the thread last showed the ticket. Comments that
// came through the API are the bridge's own copies of Slack messages (or another
// integration's) and are not repeated; the requester's replies are theirs to repeat.
asio::awaitable<JobOutcome> DeskSync::post_missed_comments(ThreadRecord const& thread, TicketId id, Instant since,
                                                           DeskUserId self) {
    auto const comments = co_await desk_.comments(id);
    if (!comments) {
        if (comments.error().kind == ApiError::Kind::not_found) co_return JobOutcome::done();
        co_return outcome_of(comments.error(), "ticket comments");
    }
    for (auto const& c : *comments) {
        if (c.created_at < since || c.via_api || !c.author_id || *c.author_id == self) continue;
        if (!c.is_public && !posts_notes(thread)) continue;
        auto const author = co_await desk_.person(*c.author_id);
        if (!author) {
            if (author.error().kind == ApiError::Kind::not_found) continue;
            co_return outcome_of(author.error(), "users/show");
        }
        if (!author->is_agent()) continue;
        auto const posted = co_await post_once(thread, comment_key(c.id), comment_line(author->name, c.is_public, c.body));
        if (posted.kind != JobOutcome::Kind::done) co_return posted;
    }
    co_return JobOutcome::done();
}

// One line for every field that changed while the bridge was not told, e.g. "#7 changed in
// Zendesk while ticketbridge was not receiving its updates: Open → Pending · High priority".
asio::awaitable<std::optional<std::string>> DeskSync::changes_line(ShownTicket const& was, Ticket const& now) {
    std::vector<std::string> parts;
    if (was.status != now.status) parts.push_back(capitalised(was.status) + " → " + capitalised(now.status));
    if (was.priority != now.priority) parts.push_back(capitalised(now.priority.empty() ? "no" : now.priority) + " priority");
    if (was.assignee_id != now.assignee_id) {
        if (!now.assignee_id) {
            parts.emplace_back("unassigned");
        } else {
            auto const name = co_await user_name(now.assignee_id, "agent " + std::to_string(*now.assignee_id));
            parts.push_back("assigned to *" + escape_slack_text(name) + "*");
        }
    }
    if (was.group_id != now.group_id) {
        if (!now.group_id) {
            parts.emplace_back("no group");
        } else {
            auto const group = co_await desk_.group_name(*now.group_id);
            parts.push_back("group " + escape_slack_text(group ? *group : std::to_string(*now.group_id)));
        }
    }
    if (was.subject != now.subject) parts.push_back("renamed “" + escape_slack_text(now.subject) + "”");
    if (parts.empty()) co_return std::nullopt;
    std::string text = ticket_ref(now.id) + " changed in Zendesk while ticketbridge was not receiving its updates: ";
    for (std::size_t i = 0; i < parts.size(); ++i) text += (i == 0 ? "" : " · ") + parts[i];
    co_return text;
}

}  // namespace tb::bot
