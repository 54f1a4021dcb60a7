#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tb::bot {

// One Slack message as it is written into a ticket.
struct ConversationEntry {
    std::string author;  // display name
    std::string ts;      // Slack ts: seconds since the epoch, with a fraction
    std::string text;    // readable text (slack_to_text)
    std::vector<std::string> notes;  // lines about files: attached, linked, or why not
};

// "2026-11-23 10:15 UTC" for a Slack ts; the ts itself when it is not one.
std::string slack_time(std::string_view ts);

// The first comment of a ticket: the conversation in order (author and time on each message
// when there is more than one), then the thread's permalink.
std::string render_conversation(std::vector<ConversationEntry> const& entries,
                                 std::string_view channel_name, std::string_view permalink);

// One reply copied from the thread into the ticket.
std::string render_reply(ConversationEntry const& entry);

// "12.3 MB"
std::string human_size(std::int64_t bytes);

}  // namespace tb::bot
