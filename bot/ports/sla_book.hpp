#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "bot/clock.hpp"
#include "bot/ports/ticket_desk.hpp"
#include "bot/result.hpp"
#include "bot/sla/ticket_clock.hpp"

namespace tb::bot {

namespace asio = boost::asio;

// A followed ticket's SLA history and when its clocks next need a look.
struct SlaRecord {
    TicketId ticket_id = 0;
    SlaHistory history;
    std::optional<Instant> next_due;
    std::string group;     // the ticket's group and priority as last told, for reports
    std::string priority;
};

// The store's memory of the tickets whose service levels the bridge keeps (adapters/store
// implements it). Deadlines are never stored: they follow from the history, so a restart or a
// late event recomputes them exactly.
class SlaBook {
public:
    virtual ~SlaBook() = default;

    // Starts following a ticket; following it again changes nothing.
    virtual asio::awaitable<Result<void>> follow(TicketId id, Instant created, std::vector<std::string> tags,
                                                 std::optional<std::int64_t> organization_id) = 0;
    // Adds an event to a followed ticket once per key (a webhook's event id, a comment's id);
    // false when the key was known or the ticket is not followed.
    // Keeps the group or priority (when given) a report groups the ticket by.
    virtual asio::awaitable<Result<void>> describe(TicketId id, std::optional<std::string> group,
                                                   std::optional<std::string> priority) = 0;
    virtual asio::awaitable<Result<bool>> add(TicketId id, std::string key, SlaEvent event) = 0;
    virtual asio::awaitable<Result<std::optional<SlaRecord>>> record(TicketId id) = 0;
    // When the ticket's clocks next need a look (nothing: only a new event can change them), and
    // since when it has been pending too long (nothing: it is not).
    virtual asio::awaitable<Result<void>> schedule(TicketId id, std::optional<Instant> next_due,
                                                   std::optional<Instant> pending_overdue) = 0;
    // Tickets whose next look is due at `now`, soonest first: an index walk, so the cost follows
    // the tickets that are due, not all that are followed.
    virtual asio::awaitable<Result<std::vector<TicketId>>> due(Instant now, std::size_t limit) = 0;
    // The tickets pending too long, the longest first: an index walk too.
    virtual asio::awaitable<Result<std::vector<TicketId>>> pending_overdue(std::size_t limit) = 0;
    // Every followed ticket created in [from, to), for reports.
    virtual asio::awaitable<Result<std::vector<SlaRecord>>> created_between(Instant from, Instant to) = 0;
};

}  // namespace tb::bot
