#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

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
    std::optional<std::string> external_id;
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

// Fields a comment may change at the same time.
struct TicketChange {
    std::optional<std::string> status;
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
    // Fails with `closed` when the ticket is closed.
    virtual asio::awaitable<ApiResult<Ticket>> comment(TicketId id, NewComment comment,
                                                       TicketChange change) = 0;
    virtual asio::awaitable<ApiResult<std::optional<DeskUserId>>> find_user(std::string email) = 0;
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
