#include "bot/sync/desk_sync.hpp"

#include <utility>

#include "bot/sync/sync_lines.hpp"
#include "bot/tickets/markup.hpp"
#include "bot/tickets/ticket_card.hpp"
#include "bot/tickets/triage.hpp"

namespace tb::bot {
namespace {

constexpr std::size_t kMaxQuoted = 3000;

}  // namespace

std::string comment_line(std::string_view author, bool is_public, std::string_view body) {
    std::string text = "*" + escape_slack_text(author) + "* " + (is_public ? "replied in Zendesk:" : "added an internal note in Zendesk:");
    auto cut = std::min(body.size(), kMaxQuoted);
    // Never inside a UTF-8 character: Slack (and the JSON encoder) refuse broken text.
    while (cut < body.size() && cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) --cut;
    auto const shown = body.substr(0, cut);
    std::size_t start = 0;
    while (start <= shown.size()) {
        auto const end = std::min(shown.find('\n', start), shown.size());
        text += "\n>" + escape_slack_text(shown.substr(start, end - start));
        start = end + 1;
    }
    if (cut < body.size()) text += "\n>…";
    return text;
}

DeskSync::DeskSync(Settings const& settings, Chat& chat, TicketDesk& desk, ThreadLedger& ledger, FlowObserver& observer)
    : settings_{settings}, chat_{chat}, desk_{desk}, ledger_{ledger}, observer_{observer} {}

asio::awaitable<JobOutcome> DeskSync::handle(DeskEvent event, std::string delivery) {
    auto const lock = co_await tickets_.acquire(ticket_ref(event.ticket_id));
    auto const found = co_await ledger_.find_by_ticket(event.ticket_id);
    if (!found) co_return store_outcome(found.error(), "find thread");
    if (!*found) {
        observer_.ignored("zendesk ticket without a thread");
        co_return JobOutcome::done();
    }
    auto const thread = **found;
    if (event.kind == DeskEvent::Kind::merged || event.kind == DeskEvent::Kind::deleted) {
        co_return co_await tell_gone(thread, event);
    }
    auto const self = co_await desk_.self();
    if (!self) co_return outcome_of(self.error(), "users/me");
    auto const shown = co_await ledger_.shown(event.ticket_id);
    if (!shown) co_return store_outcome(shown.error(), "shown ticket");
    if (event.actor_id == *self) {
        observer_.ignored("zendesk change made by the bridge");
    } else if (*shown && event.time != Instant{} && event.time <= (*shown)->told_until) {
        observer_.ignored("zendesk change told by a catch-up");
    } else {
        // A comment is told once whichever way it arrives (this event again, or a catch-up).
        auto key = event.comment_id ? comment_key(*event.comment_id) : delivery;
        auto const line = co_await line_for(event, thread);
        if (line) {
            auto const posted = co_await post_once(thread, std::move(key), *line);
            if (posted.kind != JobOutcome::Kind::done) co_return posted;
        } else {
            observer_.ignored("zendesk event not shown");
        }
    }
    if (event.kind == DeskEvent::Kind::comment_added || event.kind == DeskEvent::Kind::other) {
        co_return JobOutcome::done();
    }
    co_return co_await redraw_card(thread);
}

asio::awaitable<JobOutcome> DeskSync::post_once(ThreadRecord const& thread, std::string key, std::string text) {
    auto const posted = co_await ledger_.step_done(key, kPosted);
    if (!posted) co_return store_outcome(posted.error(), "sync step");
    if (*posted) co_return JobOutcome::done();
    auto const sent = co_await chat_.post(thread.key.channel, thread.key.thread_ts, text);
    if (!sent) co_return outcome_of(sent.error(), "chat.postMessage");
    if (auto marked = co_await ledger_.mark_step(key, kPosted); !marked) {
        co_return store_outcome(marked.error(), "sync step");
    }
    co_return JobOutcome::done();
}

// Merged or deleted is told once per ticket, whichever events (or catch-ups) say it; then the
// mapping is closed, so later events for the ticket find no thread.
asio::awaitable<JobOutcome> DeskSync::tell_gone(ThreadRecord thread, DeskEvent const& event) {
    auto line = co_await line_for(event, thread);
    auto const told = co_await post_once(thread, ticket_ref(event.ticket_id), line.value_or(""));
    if (told.kind != JobOutcome::Kind::done) co_return told;
    thread.closed = true;
    if (auto saved = co_await ledger_.save(thread); !saved) co_return store_outcome(saved.error(), "close thread");
    co_return JobOutcome::done();
}

asio::awaitable<JobOutcome> DeskSync::redraw_card(ThreadRecord const& thread) {
    auto const ticket = co_await desk_.get(thread.ticket_id);
    if (!ticket) {
        // A deleted or merged ticket keeps the card it had.
        if (ticket.error().kind == ApiError::Kind::not_found) co_return JobOutcome::done();
        co_return outcome_of(ticket.error(), "get ticket");
    }
    co_return co_await show(thread, *ticket, Instant{});
}

// The card shows `ticket`, and the ledger remembers that it does.
asio::awaitable<JobOutcome> DeskSync::show(ThreadRecord const& thread, Ticket const& ticket, Instant told_until) {
    if (!thread.card_ts.empty()) {
        auto card = co_await ticket_card(desk_, ticket, thread.follows);
        auto const updated = co_await chat_.update_card(thread.key.channel, thread.card_ts, std::move(card));
        if (!updated && (updated.error().kind == ApiError::Kind::unavailable ||
                         updated.error().kind == ApiError::Kind::rate_limited)) {
            co_return outcome_of(updated.error(), "chat.update");
        }
    }
    auto shown = shown_from(ticket);
    shown.told_until = told_until;
    if (auto saved = co_await ledger_.show(shown); !saved) co_return store_outcome(saved.error(), "shown ticket");
    co_return JobOutcome::done();
}

bool DeskSync::posts_notes(ThreadRecord const& thread) const {
    auto const* channel = find_channel(settings_, thread.key.channel);
    return channel != nullptr && channel->post_zendesk_notes;
}

asio::awaitable<std::string> DeskSync::user_name(std::optional<DeskUserId> id, std::string fallback) {
    if (!id) co_return fallback;
    auto const name = co_await desk_.user_name(*id);
    co_return name ? *name : fallback;
}

asio::awaitable<std::optional<std::string>> DeskSync::line_for(DeskEvent const& e, ThreadRecord const& thread) {
    auto const ref = ticket_ref(e.ticket_id);
    auto const actor = co_await user_name(e.actor_id, "Someone");
    auto const who = "*" + escape_slack_text(actor) + "*";
    switch (e.kind) {
        case DeskEvent::Kind::status_changed:
            if (e.current == "solved") co_return who + " solved " + ref + " in Zendesk";
            co_return who + " changed " + ref + " from " + capitalised(e.previous) + " to " + capitalised(e.current) +
                " in Zendesk";
        case DeskEvent::Kind::priority_changed:
            co_return who + " set " + ref + " to " + capitalised(e.current.empty() ? "no" : e.current) +
                " priority in Zendesk";
        case DeskEvent::Kind::assignee_changed: {
            if (!e.current_id) co_return who + " unassigned " + ref + " in Zendesk";
            auto const name = co_await user_name(e.current_id, "agent " + e.current);
            co_return who + " assigned " + ref + " to *" + escape_slack_text(name) + "* in Zendesk";
        }
        case DeskEvent::Kind::group_changed: {
            if (!e.current_id) co_return who + " removed " + ref + " from its group in Zendesk";
            auto const group = co_await desk_.group_name(*e.current_id);
            co_return who + " moved " + ref + " to " + escape_slack_text(group ? *group : "group " + e.current) + " in Zendesk";
        }
        case DeskEvent::Kind::subject_changed:
            co_return who + " renamed " + ref + " to “" + escape_slack_text(e.current) + "” in Zendesk";
        case DeskEvent::Kind::comment_added: {
            if (!e.comment_public && !posts_notes(thread)) co_return std::nullopt;
            // The requester's own replies (by e-mail, in the help centre) are theirs to repeat.
            if (!e.comment_by_staff) co_return std::nullopt;
            auto author = e.comment_author;
            if (author.empty()) author = co_await user_name(e.comment_author_id, "Someone");
            co_return comment_line(author, e.comment_public, e.comment_body);
        }
        case DeskEvent::Kind::merged:
            co_return ref + " was merged" + (e.merged_into ? " into " + ticket_ref(*e.merged_into) : std::string{}) +
                " in Zendesk. This thread no longer follows it.";
        case DeskEvent::Kind::deleted:
            co_return ref + " was deleted in Zendesk. This thread no longer follows it.";
        case DeskEvent::Kind::other: break;
    }
    co_return std::nullopt;
}

}  // namespace tb::bot
