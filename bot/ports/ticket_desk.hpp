#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "bot/clock.hpp"
#include "bot/config/settings.hpp"
#include "bot/ports/api_error.hpp"

namespace tb::bot {

namespace asio = boost::asio;

using TicketId = std::int64_t;
using DeskUserId = std::int64_t;
using GroupId = std::int64_t;

// A Zendesk ticket as the flows need it.
struct Ticket {
    TicketId id = 0;
    std::string subject;
    std::string status;    // new, open, pending, hold, solved, closed
    std::string priority;  // empty when unset
    std::optional<GroupId> group_id;
    std::optional<DeskUserId> assignee_id;
    std::optional<DeskUserId> requester_id;
    std::optional<std::int64_t> organization_id;  // the requester's organisation
    std::optional<std::string> external_id;
    std::vector<std::string> tags;
    Instant created_at{};
    Instant updated_at{};
};

// A comment as the ticket's history shows it.
struct DeskComment {
    std::int64_t id = 0;
    std::optional<DeskUserId> author_id;
    bool is_public = true;
    std::string body;  // plain text
    Instant created_at{};
    bool via_api = false;  // written through the API (the bridge's own comments are)
};

// Where to read Zendesk's incremental ticket export from: the cursor it last gave, or (the
// first time) a start instant.
struct ExportPosition {
    std::string cursor;
    Instant start{};
};

// Tickets changed since a position, as they are now.
struct ChangedTickets {
    std::vector<Ticket> tickets;
    std::string next_cursor;  // where the next read starts
    bool end_of_stream = true;
};

// A Zendesk user as the commands need it: agents may be assigned and author comments.
struct DeskUser {
    DeskUserId id = 0;
    std::string name;
    std::string email;
    std::string role;  // end-user, agent, admin

    bool is_agent() const { return role == "agent" || role == "admin"; }
};

struct DeskGroup {
    GroupId id = 0;
    std::string name;
};

// Which unsolved tickets `list` shows (status below solved).
struct TicketQuery {
    enum class Scope { all_open, assigned_to, unassigned, in_group };
    Scope scope = Scope::all_open;
    std::optional<DeskUserId> assignee;  // for assigned_to
    std::optional<GroupId> group;        // for in_group
    std::size_t limit = 100;             // at most this many tickets are returned
    std::string priority;                // "urgent", "high", "normal", "low": only those; "": any
};

struct TicketPage {
    std::vector<Ticket> tickets;
    std::size_t total = 0;  // how many match in all
};

struct Requester {
    std::string name;
    std::string email;  // empty: a named end-user without an address
};

struct NewComment {
    std::string body;  // plain text
    bool is_public = true;
    std::optional<DeskUserId> author_id;  // unset: the API user
    std::vector<std::string> uploads;     // tokens from upload()
};

struct NewTicket {
    std::string subject;
    NewComment comment;  // the first comment
    Requester requester;
    std::optional<DeskUserId> requester_id;  // set: an existing user, and `requester` is unused
    std::optional<GroupId> group_id;
    Priority priority = Priority::normal;
    std::vector<std::string> tags;
    std::string external_id;
    std::optional<TicketId> follow_up_of;  // a closed ticket this one follows up
};

// Fields to change; unset ones stay as they are.
struct TicketChange {
    std::optional<std::string> status;
    std::optional<Priority> priority;
    std::optional<GroupId> group_id;
    std::optional<DeskUserId> assignee_id;
    std::optional<std::string> subject;
};

// The Zendesk Support API as the flows use it. adapters/zendesk implements it.
class TicketDesk {
public:
    virtual ~TicketDesk() = default;

    // Zendesk's own duplicate guard: the same idempotency_key within its window returns the
    // ticket it already made.
    virtual asio::awaitable<ApiResult<Ticket>> create(NewTicket ticket, std::string idempotency_key) = 0;
    virtual asio::awaitable<ApiResult<std::optional<Ticket>>> find_by_external_id(
        std::string external_id) = 0;
    virtual asio::awaitable<ApiResult<Ticket>> get(TicketId id) = 0;
    // Changes fields and adds a comment (when given) in one update. Fails with `closed` when
    // the ticket is closed and `rejected` with Zendesk's reason when it refuses the change.
    virtual asio::awaitable<ApiResult<Ticket>> update(TicketId id, TicketChange change,
                                                      std::optional<NewComment> comment) = 0;
    asio::awaitable<ApiResult<Ticket>> comment(TicketId id, NewComment comment, TicketChange change) {
        return update(id, std::move(change), std::move(comment));
    }
    virtual asio::awaitable<ApiResult<std::optional<DeskUserId>>> find_user(std::string email) = 0;
    // The Zendesk user with this e-mail, whatever the role; nullopt when there is none.
    virtual asio::awaitable<ApiResult<std::optional<DeskUser>>> find_person(std::string email) = 0;
    // Unsolved tickets, oldest first.
    virtual asio::awaitable<ApiResult<TicketPage>> search(TicketQuery query) = 0;
    virtual asio::awaitable<ApiResult<std::vector<DeskGroup>>> groups() = 0;
    // Incremental ticket export: the tickets changed since `from`, oldest change first.
    virtual asio::awaitable<ApiResult<ChangedTickets>> changed_tickets(ExportPosition from) = 0;
    // A ticket's comments, oldest first.
    virtual asio::awaitable<ApiResult<std::vector<DeskComment>>> comments(TicketId id) = 0;
    virtual asio::awaitable<ApiResult<DeskUser>> person(DeskUserId id) = 0;
    // The Zendesk user the bridge acts as (its changes are not echoed back to Slack).
    virtual asio::awaitable<ApiResult<DeskUserId>> self() = 0;
    virtual asio::awaitable<ApiResult<std::string>> user_name(DeskUserId id) = 0;
    // Group ids by name and back (the adapter may cache the list).
    virtual asio::awaitable<ApiResult<std::optional<GroupId>>> group_id(std::string name) = 0;
    virtual asio::awaitable<ApiResult<std::string>> group_name(GroupId id) = 0;
    virtual asio::awaitable<ApiResult<std::vector<std::string>>> group_names() = 0;
    // Uploads a file for a later comment; returns its token.
    virtual asio::awaitable<ApiResult<std::string>> upload(std::string filename,
                                                           std::string content_type,
                                                           std::string bytes) = 0;
    // Where an agent opens the ticket.
    virtual std::string agent_url(TicketId id) const = 0;
};

}  // namespace tb::bot
