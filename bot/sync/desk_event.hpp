#pragma once

#include <optional>
#include <string>

#include "bot/clock.hpp"
#include "bot/ports/ticket_desk.hpp"

namespace tb::bot {

// One change to a Zendesk ticket, as Zendesk's ticket event subscriptions describe it
// (adapters/zendesk reads the webhook envelope into this).
struct DeskEvent {
    enum class Kind {
        status_changed,
        priority_changed,
        assignee_changed,
        group_changed,
        subject_changed,
        comment_added,
        merged,
        deleted,
        other,
    };
    Kind kind = Kind::other;
    std::string type;  // Zendesk's event type, for logs
    TicketId ticket_id = 0;
    std::optional<DeskUserId> actor_id;  // who made the change
    Instant time{};
    // status, priority, subject: lower-case values; assignee and group: ids as text, empty = none.
    std::string previous;
    std::string current;
    std::optional<std::int64_t> current_id;  // assignee and group: the new id, unset = none
    // comment_added
    std::optional<std::int64_t> comment_id;
    std::string comment_body;
    bool comment_public = false;
    std::optional<DeskUserId> comment_author_id;
    bool comment_by_staff = false;  // an agent or admin wrote it
    std::string comment_author;
    // merged: the ticket it went into, when Zendesk says
    std::optional<TicketId> merged_into;
};

}  // namespace tb::bot
