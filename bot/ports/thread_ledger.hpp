#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "bot/clock.hpp"
#include "bot/ports/ticket_desk.hpp"
#include "bot/result.hpp"

namespace tb::bot {

namespace asio = boost::asio;

// A Slack thread: the unit that has at most one ticket.
struct ThreadKey {
    std::string team;
    std::string channel;
    std::string thread_ts;  // the root message's ts

    // Stable across retries and replicas: Zendesk's external_id and the idempotency key.
    std::string external_id() const { return "slack:" + team + ":" + channel + ":" + thread_ts; }
    friend bool operator==(ThreadKey const&, ThreadKey const&) = default;
};

// What the service knows about a thread's ticket and the steps already taken for it.
struct ThreadRecord {
    ThreadKey key;
    TicketId ticket_id = 0;
    std::string origin;        // delivery id of the request that opened it
    std::string card_ts;       // the card message; empty until posted
    bool reacted = false;      // the created emoji is on the message
    bool duplicate_noticed = false;  // a later request was pointed at the ticket
    std::optional<TicketId> follows;  // the closed ticket this one follows up
    bool closed = false;  // the ticket was merged or deleted: the thread follows it no more
};

// A ticket as its thread last showed it (card and status lines), so a catch-up tells only
// what changed since.
struct ShownTicket {
    TicketId ticket_id = 0;
    std::string status;
    std::string priority;
    std::optional<GroupId> group_id;
    std::optional<DeskUserId> assignee_id;
    std::string subject;
    Instant updated_at{};
    // Changes up to here were told in the thread by a catch-up; their late webhooks are not.
    Instant told_until{};

    friend bool operator==(ShownTicket const&, ShownTicket const&) = default;
};

inline ShownTicket shown_from(Ticket const& t) {
    return {t.id, t.status, t.priority, t.group_id, t.assignee_id, t.subject, t.updated_at, Instant{}};
}

// A Slack message that became (part of) a ticket comment.
struct CopiedMessage {
    std::string channel;
    std::string ts;
    TicketId ticket_id = 0;
    std::string text;  // as copied, to describe a later edit or deletion
};

// A thread reply waiting to be written to its ticket; several are written as one comment.
struct PendingReply {
    std::string channel;
    std::string ts;
    TicketId ticket_id = 0;
    std::string author_email;  // for the comment's author; empty when unknown
    std::string original;      // the reply's text as Slack sent it
    std::string rendered;      // the comment text for this reply (author named, files linked)
    bool is_public = true;
    Instant queued_at{};
};

// The store's memory of threads, tickets and copied messages (adapters/store implements it).
class ThreadLedger {
public:
    virtual ~ThreadLedger() = default;

    virtual asio::awaitable<Result<std::optional<ThreadRecord>>> find(ThreadKey key) = 0;
    // The open thread following ticket id (closed mappings are not found).
    virtual asio::awaitable<Result<std::optional<ThreadRecord>>> find_by_ticket(TicketId id) = 0;
    // Inserts or replaces the record of key's thread.
    virtual asio::awaitable<Result<void>> save(ThreadRecord record) = 0;

    virtual asio::awaitable<Result<std::optional<CopiedMessage>>> copied(std::string channel,
                                                                       std::string ts) = 0;
    virtual asio::awaitable<Result<void>> remember(std::vector<CopiedMessage> messages) = 0;

    // Queues a reply unless it is queued or copied already; true when it was new.
    virtual asio::awaitable<Result<bool>> queue(PendingReply reply) = 0;
    // The replies queued for a ticket, oldest first.
    virtual asio::awaitable<Result<std::vector<PendingReply>>> pending(TicketId id) = 0;
    // Moves written replies from the queue to the copied messages, in one commit.
    virtual asio::awaitable<Result<void>> written(std::vector<PendingReply> replies,
                                                  TicketId into) = 0;

    // Steps of a request already carried out (e.g. "applied" for a command's Zendesk change),
    // so a retried job does only what is left. Keyed by the request's delivery id.
    virtual asio::awaitable<Result<bool>> step_done(std::string delivery, std::string step) = 0;
    virtual asio::awaitable<Result<void>> mark_step(std::string delivery, std::string step) = 0;

    virtual asio::awaitable<Result<std::optional<ShownTicket>>> shown(TicketId id) = 0;
    // Keeps the newer of the stored and the given state (by updated_at), and the later told_until.
    virtual asio::awaitable<Result<void>> show(ShownTicket ticket) = 0;

    // Named positions in outside feeds, e.g. Zendesk's incremental export cursor.
    virtual asio::awaitable<Result<std::optional<std::string>>> cursor(std::string name) = 0;
    virtual asio::awaitable<Result<void>> save_cursor(std::string name, std::string value) = 0;
};

}  // namespace tb::bot
