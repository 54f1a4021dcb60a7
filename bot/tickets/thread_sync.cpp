#include <algorithm>

#include "bot/tickets/markup.hpp"
#include "bot/tickets/ticket_flows.hpp"
#include "bot/tickets/ticket_card.hpp"
#include "bot/tickets/triage.hpp"

namespace tb::bot {
namespace {

std::string join_replies(std::vector<PendingReply> const& replies) {
    std::string body;
    for (auto const& reply : replies) {
        if (!body.empty()) body += "\n\n";
        body += reply.rendered;
    }
    return body;
}

// Marks a reply whose comment was sent: if no answer confirms it, it may be on the ticket.
std::string sent_key(PendingReply const& reply) { return "reply:" + reply.channel + ":" + reply.ts; }
constexpr char const* kCommentSent = "comment-sent";

// Zendesk lists a comment's plain text, which may space it differently from what was sent.
bool on_ticket(PendingReply const& reply, std::vector<DeskComment> const& comments) {
    auto const wanted = collapse_whitespace(reply.rendered);
    return std::any_of(comments.begin(), comments.end(), [&](DeskComment const& c) {
        return c.via_api && collapse_whitespace(c.body).find(wanted) != std::string::npos;
    });
}

}  // namespace

asio::awaitable<JobOutcome> TicketFlows::on_reply(ThreadReply reply) {
    auto const& message = reply.message;
    auto const* channel = find_channel(settings_, message.channel);
    if (channel == nullptr || channel->thread_replies == ThreadReplies::off) {
        observer_.ignored(channel == nullptr ? "unwatched channel" : "replies off");
        co_return JobOutcome::done();
    }
    auto const me = co_await identity();
    if (!me) co_return outcome_of(me.error(), "auth.test");
    if (!message.bot_id.empty() || message.user.empty() || message.user == me->user_id) {
        observer_.ignored("bot message");  // never echo our own (or any bot's) messages
        co_return JobOutcome::done();
    }
    ThreadKey const key{reply.team.empty() ? me->team_id : reply.team, message.channel, message.thread_ts};
    // Held through the write: a reply racing the ticket's creation waits for its record instead
    // of finding none, and is either in the first comment already or copied after it.
    auto guard = co_await threads_.acquire(key.external_id());
    auto const record = co_await ledger_.find(key);
    if (!record) co_return store_outcome(record.error(), "reply");
    if (!*record) {
        observer_.ignored("thread without ticket");
        co_return JobOutcome::done();
    }

    auto const author = co_await chat_.user(message.user);
    if (!author && author.error().transient()) co_return outcome_of(author.error(), "users.info");
    ConversationEntry entry;
    entry.author = author ? author->display() : message.user;
    entry.ts = message.ts;
    entry.text = slack_to_text(message.text);
    for (auto const& file : message.files) {
        entry.notes.push_back("File " + file.name + ": " + (file.permalink.empty() ? file.url_private : file.permalink));
    }
    PendingReply pending;
    pending.channel = message.channel;
    pending.ts = message.ts;
    pending.ticket_id = (*record)->ticket_id;
    pending.author_email = author ? author->email : std::string{};
    pending.original = message.text;
    pending.rendered = render_reply(entry);
    pending.is_public = channel->thread_replies == ThreadReplies::public_reply;
    pending.queued_at = clock_.now();
    auto const queued = co_await ledger_.queue(std::move(pending));
    if (!queued) co_return store_outcome(queued.error(), "reply");
    co_return co_await flush(key);
}

asio::awaitable<JobOutcome> TicketFlows::flush(ThreadKey key) {
    auto const found = co_await ledger_.find(key);
    if (!found) co_return store_outcome(found.error(), "flush");
    if (!*found) co_return JobOutcome::done();
    auto record = **found;
    auto queue = co_await ledger_.pending(record.ticket_id);
    if (!queue) co_return store_outcome(queue.error(), "flush");
    if (queue->empty()) co_return JobOutcome::done();  // an earlier flush wrote this reply too
    if (auto const landed = co_await take_landed(record.ticket_id, *queue); landed.kind != JobOutcome::Kind::done) {
        co_return landed;
    }
    if (queue->empty()) co_return JobOutcome::done();

    if (auto const wait = update_budget(record.ticket_id)) {
        co_return JobOutcome::wait("ticket update budget used; replies wait and are combined", *wait);
    }
    auto const ticket = co_await desk_.get(record.ticket_id);
    if (!ticket) co_return outcome_of(ticket.error(), "get ticket");

    NewComment comment;
    comment.body = join_replies(*queue);
    comment.is_public = std::all_of(queue->begin(), queue->end(), [](auto const& r) { return r.is_public; });
    auto const& first_email = queue->front().author_email;
    bool const one_author = std::all_of(queue->begin(), queue->end(),
                                        [&](auto const& r) { return r.author_email == first_email; });
    if (one_author && !first_email.empty()) {
        auto const user = co_await desk_.find_user(first_email);
        if (!user && user.error().transient()) co_return outcome_of(user.error(), "find user");
        if (user && *user) comment.author_id = **user;
    }

    TicketId into = record.ticket_id;
    if (ticket->status == "closed") {
        auto followed = co_await follow_up(record, *ticket, std::move(comment));
        if (!followed) co_return outcome_of(followed.error(), "follow-up");
        into = followed->ticket_id;
    } else {
        TicketChange change;
        // A requester's reply reopens a solved ticket, as Zendesk does for e-mail.
        if (ticket->status == "solved" && comment.author_id && comment.author_id == ticket->requester_id) {
            change.status = "open";
        }
        for (auto const& reply : *queue) {
            auto const marked = co_await ledger_.mark_step(sent_key(reply), kCommentSent);
            if (!marked) co_return store_outcome(marked.error(), "flush");
        }
        auto const written = co_await desk_.comment(record.ticket_id, std::move(comment), change);
        if (!written) co_return outcome_of(written.error(), "add comment");
    }
    auto done = co_await ledger_.written(*queue, into);
    if (!done) co_return store_outcome(done.error(), "flush");
    co_return JobOutcome::done();
}

// A reply sent before without an answer (a timeout, a 5xx after Zendesk took it) is looked for
// on the ticket; found, it counts as written and leaves `queue`, so nobody reads it twice.
asio::awaitable<JobOutcome> TicketFlows::take_landed(TicketId id, std::vector<PendingReply>& queue) {
    std::vector<PendingReply> sent;
    for (auto const& reply : queue) {
        auto const was_sent = co_await ledger_.step_done(sent_key(reply), kCommentSent);
        if (!was_sent) co_return store_outcome(was_sent.error(), "flush");
        if (*was_sent) sent.push_back(reply);
    }
    if (sent.empty()) co_return JobOutcome::done();
    auto const comments = co_await desk_.comments(id);
    if (!comments) co_return outcome_of(comments.error(), "read comments");
    std::vector<PendingReply> landed;
    for (auto const& reply : sent) {
        if (on_ticket(reply, *comments)) landed.push_back(reply);
    }
    if (landed.empty()) co_return JobOutcome::done();
    auto const moved = co_await ledger_.written(landed, id);
    if (!moved) co_return store_outcome(moved.error(), "flush");
    std::erase_if(queue, [&](PendingReply const& r) {
        return std::any_of(landed.begin(), landed.end(),
                           [&](PendingReply const& l) { return l.channel == r.channel && l.ts == r.ts; });
    });
    observer_.ignored("reply already on the ticket from an unanswered write");
    co_return JobOutcome::done();
}

asio::awaitable<ApiResult<ThreadRecord>> TicketFlows::follow_up(ThreadRecord record, Ticket closed,
                                                               NewComment comment) {
    auto const external_id = record.key.external_id() + ":after:" + std::to_string(closed.id);
    auto found = co_await desk_.find_by_external_id(external_id);
    if (!found) co_return found.error();
    Ticket ticket;
    if (*found) {
        ticket = **found;
    } else {
        NewTicket follow;
        follow.subject = closed.subject;
        follow.comment = std::move(comment);
        follow.requester_id = closed.requester_id;
        follow.group_id = closed.group_id;
        follow.priority = parse_priority(closed.priority).value_or(Priority::normal);
        follow.tags = settings_.zendesk.tags;
        follow.external_id = external_id;
        follow.follow_up_of = closed.id;
        auto created = co_await desk_.create(std::move(follow), external_id);
        if (!created) co_return created.error();
        ticket = std::move(*created);
    }
    record.follows = closed.id;
    record.ticket_id = ticket.id;
    if (!record.card_ts.empty()) {
        auto card = co_await ticket_card(desk_, ticket, closed.id);
        auto const updated = co_await chat_.update_card(record.key.channel, record.card_ts, std::move(card));
        if (!updated && updated.error().transient()) co_return updated.error();
    }
    if (auto shown = co_await ledger_.show(shown_from(ticket)); !shown) {
        co_return api_error(ApiError::Kind::unavailable, "store: " + shown.error().message());
    }
    if (auto saved = co_await ledger_.save(record); !saved) {
        co_return api_error(ApiError::Kind::unavailable, "store: " + saved.error().message());
    }
    auto const text = "Ticket #" + std::to_string(closed.id) + " was closed, so this reply opened follow-up #" +
                      std::to_string(ticket.id) + ": " + desk_.agent_url(ticket.id);
    co_await chat_.post(record.key.channel, record.key.thread_ts, text);
    observer_.ticket_opened(ticket.id, record.key);
    co_return record;
}

asio::awaitable<JobOutcome> TicketFlows::on_edit(MessageEdited edit) {
    auto const copied = co_await ledger_.copied(edit.channel, edit.ts);
    if (!copied) co_return store_outcome(copied.error(), "edit");
    if (!*copied) {
        observer_.ignored("edit of a message not copied");
        co_return JobOutcome::done();
    }
    auto const author = co_await display_name(edit.user);
    auto const now_text = slack_to_text(edit.text);
    if (now_text == (*copied)->text) co_return JobOutcome::done();  // e.g. a link preview unfurled
    auto const text = author + " edited a Slack message copied to this ticket (" + slack_time(edit.ts) +
                      ").\nBefore: " + (*copied)->text + "\nNow: " + now_text;
    auto outcome = co_await note(edit.channel, edit.ts, text);
    if (outcome.kind != JobOutcome::Kind::done) co_return outcome;
    auto updated = **copied;
    updated.text = now_text;
    std::vector<CopiedMessage> batch{std::move(updated)};
    if (auto kept = co_await ledger_.remember(std::move(batch)); !kept) co_return store_outcome(kept.error(), "edit");
    co_return JobOutcome::done();
}

asio::awaitable<JobOutcome> TicketFlows::on_delete(MessageDeleted deletion) {
    auto const copied = co_await ledger_.copied(deletion.channel, deletion.ts);
    if (!copied) co_return store_outcome(copied.error(), "delete");
    if (!*copied) {
        observer_.ignored("deletion of a message not copied");
        co_return JobOutcome::done();
    }
    auto const text = "A Slack message copied to this ticket was deleted in Slack (" + slack_time(deletion.ts) +
                      "). It said: " + (*copied)->text;
    co_return co_await note(deletion.channel, deletion.ts, text);
}

// An internal note about a copied message on the ticket it went to.
asio::awaitable<JobOutcome> TicketFlows::note(std::string channel, std::string ts, std::string text) {
    auto const copied = co_await ledger_.copied(channel, ts);
    if (!copied || !*copied) co_return JobOutcome::done();
    auto const id = (*copied)->ticket_id;
    if (auto const wait = update_budget(id)) co_return JobOutcome::wait("ticket update budget used", *wait);
    NewComment comment;
    comment.body = std::move(text);
    comment.is_public = false;
    TicketChange const no_change;
    auto const written = co_await desk_.comment(id, std::move(comment), no_change);
    if (!written && written.error().kind == ApiError::Kind::closed) {
        observer_.ignored("ticket closed");
        co_return JobOutcome::done();
    }
    if (!written) co_return outcome_of(written.error(), "add note");
    co_return JobOutcome::done();
}

}  // namespace tb::bot
