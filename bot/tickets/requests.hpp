#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bot/config/settings.hpp"
#include "bot/ports/chat.hpp"

namespace tb::bot {

// What a Slack delivery asks of the ticket flows, once adapters/slack has read the payload.

// Someone reacted to a message (reaction_added).
struct ReactionAdded {
    std::string team;
    std::string channel;
    std::string ts;    // the message reacted to
    std::string user;  // who reacted
    std::string emoji;
};

// A message was posted in a thread (message event with thread_ts other than its ts).
struct ThreadReply {
    std::string team;
    ChatMessage message;
};

// A message was edited (message_changed).
struct MessageEdited {
    std::string team;
    std::string channel;
    std::string ts;
    std::string thread_ts;
    std::string user;
    std::string text;  // the new text
};

// A message was deleted (message_deleted).
struct MessageDeleted {
    std::string team;
    std::string channel;
    std::string ts;
    std::string thread_ts;
};

// The "Create ticket" message shortcut was used: open the form.
struct ShortcutUsed {
    std::string team;
    std::string channel;
    std::string message_ts;
    std::string thread_ts;  // set when the message is a reply
    std::string message_text;
    std::string user;
    std::string trigger_id;
};

// What the "Create ticket" form holds when submitted.
struct TicketForm {
    std::string team;
    std::string channel;
    std::string message_ts;
    std::string user;
    std::string subject;
    std::string priority;  // as chosen: low, normal, high, urgent
    std::string group;     // empty: the default
};

// A field of the form and what is wrong with it, shown next to the field.
struct FormProblem {
    std::string field;  // subject, priority, group
    std::string message;
};

// Nothing for the flows: the reason is counted.
struct Ignored {
    std::string reason;
};

using SlackRequest = std::variant<ReactionAdded, ThreadReply, MessageEdited, MessageDeleted,
                                  ShortcutUsed, TicketForm, Ignored>;

// Checks a submitted form; empty when it may become a ticket. An empty `groups` (Zendesk
// unreachable) accepts any group: the ticket create will say if it is wrong.
std::vector<FormProblem> validate(TicketForm const& form, std::vector<std::string> const& groups);

}  // namespace tb::bot
