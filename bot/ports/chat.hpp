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

struct ChatFile {
    std::string id;
    std::string name;
    std::string mimetype;
    std::int64_t size = 0;
    std::string url_private;  // needs the bot token to download
    std::string permalink;
};

// A Slack message as conversations.replies shows it.
struct ChatMessage {
    std::string channel;
    std::string ts;
    std::string thread_ts;  // empty outside a thread; equal to ts on a thread's root
    std::string user;       // empty for some bot messages
    std::string bot_id;     // set when a bot or app posted it
    std::string subtype;
    std::string text;       // Slack markup, as sent
    std::vector<ChatFile> files;

    std::string root_ts() const { return thread_ts.empty() ? ts : thread_ts; }
};

struct ChatUser {
    std::string id;
    std::string name;       // handle
    std::string real_name;  // display name for people
    std::string email;      // empty when Slack does not share it
    bool is_bot = false;

    std::string display() const { return real_name.empty() ? name : real_name; }
};

// Who the bot is in the workspace (auth.test).
struct ChatIdentity {
    std::string team_id;
    std::string user_id;
    std::string bot_id;
};

// What the ticket card in a thread shows; adapters/slack renders it as Block Kit.
struct TicketCard {
    std::int64_t ticket_id = 0;
    std::string url;  // the agent view
    std::string subject;
    std::string status;
    std::string priority;                  // empty when unset
    std::string group;                     // empty when unassigned
    std::string assignee;                  // empty when unassigned
    std::optional<std::int64_t> follow_up_of;  // the closed ticket this one follows
    std::vector<std::string> groups;           // choices of the card's group select
};

// One row of a `/ticket list` answer.
struct TicketLine {
    std::int64_t ticket_id = 0;
    std::string url;
    std::string subject;
    std::string priority;  // empty when unset
    std::string status;
    std::string assignee;  // empty when unassigned
    std::string age;       // "3d", "5h"
    std::string sla;       // empty when SLA state is not known
};

struct TicketListing {
    std::string title;  // "Unassigned tickets"
    std::vector<TicketLine> lines;
    std::size_t more = 0;  // matching tickets not shown
};

// One ticket of the daily list of tickets pending too long.
struct PendingLine {
    std::int64_t ticket_id = 0;
    std::string url;
    std::string subject;
    std::string assignee;  // empty when unassigned
    std::string since;     // when it went pending or the requester last wrote, on the team's clock
    std::string waited;    // "6 working days"
    std::string solved;    // set when solved already (automatically): said instead of the button
};

// The daily list of tickets pending too long, each with a "Solve with note" button.
struct PendingDigest {
    std::string title;  // "2 tickets pending 5+ working days with no answer from the requester"
    std::string note;   // what the button sends the requester
    std::vector<PendingLine> lines;
    std::size_t more = 0;  // left out of the list
};

// An answer to a slash command or button, sent to its response_url (ephemeral).
struct CommandReply {
    std::string text;  // Slack mrkdwn
    std::optional<TicketListing> listing;
};

// What the "Solve ticket" modal needs to come back to the ticket and its card.
struct SolveDraft {
    std::int64_t ticket_id = 0;
    std::string subject;
    std::string channel;  // where the card is; empty when solved from elsewhere
    std::string card_ts;
};

// What the "Create ticket" modal starts with, and where the ticket will come from.
struct TicketDraft {
    std::string team_id;
    std::string channel;
    std::string message_ts;  // the message the shortcut was used on
    std::string subject;
    Priority priority = Priority::normal;
    std::string group;                  // empty: Zendesk's default
    std::vector<std::string> groups;    // choices offered
};

// The Slack Web API as the flows use it. adapters/slack implements it with the bot token.
// Calls are idempotent where Slack allows; none of them retries on its own.
class Chat {
public:
    virtual ~Chat() = default;

    virtual asio::awaitable<ApiResult<ChatIdentity>> identity() = 0;
    // The thread containing `ts` (a root or a reply), root first, oldest to newest, all pages.
    virtual asio::awaitable<ApiResult<std::vector<ChatMessage>>> thread(std::string channel,
                                                                        std::string ts) = 0;
    virtual asio::awaitable<ApiResult<std::string>> permalink(std::string channel, std::string ts) = 0;
    virtual asio::awaitable<ApiResult<ChatUser>> user(std::string user_id) = 0;
    // Downloads a file's bytes with the bot token; fails with `rejected` beyond max_bytes.
    virtual asio::awaitable<ApiResult<std::string>> download(ChatFile file, std::int64_t max_bytes) = 0;

    // Posts into a thread (thread_ts empty: to the channel); returns the new message's ts.
    virtual asio::awaitable<ApiResult<std::string>> post(std::string channel, std::string thread_ts,
                                                         std::string text) = 0;
    virtual asio::awaitable<ApiResult<std::string>> post_card(std::string channel,
                                                              std::string thread_ts,
                                                              TicketCard card) = 0;
    virtual asio::awaitable<ApiResult<void>> update_card(std::string channel, std::string ts,
                                                         TicketCard card) = 0;
    // The daily list of tickets pending too long; returns the message's ts.
    virtual asio::awaitable<ApiResult<std::string>> post_pending_digest(std::string channel,
                                                                        PendingDigest digest) = 0;
    // Visible to one user only.
    virtual asio::awaitable<ApiResult<void>> post_ephemeral(std::string channel, std::string user,
                                                            std::string thread_ts,
                                                            std::string text) = 0;
    // Adding a reaction that is already there succeeds.
    virtual asio::awaitable<ApiResult<void>> react(std::string channel, std::string ts,
                                                   std::string emoji) = 0;
    // Opens the "Create ticket" modal; the trigger is good for 3 seconds after Slack issued it.
    virtual asio::awaitable<ApiResult<void>> open_ticket_form(std::string trigger_id,
                                                              TicketDraft draft) = 0;
    // Opens the "Solve ticket" modal that asks for the solving note.
    virtual asio::awaitable<ApiResult<void>> open_solve_form(std::string trigger_id,
                                                             SolveDraft draft) = 0;
    // Answers a command or button through its response_url (only Slack's own hosts, or the
    // configured API host, are accepted as response_url).
    virtual asio::awaitable<ApiResult<void>> respond(std::string response_url, CommandReply reply) = 0;
    // The user ids in a user group (usergroups.users.list).
    virtual asio::awaitable<ApiResult<std::vector<std::string>>> usergroup_members(
        std::string usergroup) = 0;
};

}  // namespace tb::bot
