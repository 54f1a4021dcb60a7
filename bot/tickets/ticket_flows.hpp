#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "bot/clock.hpp"
#include "bot/config/settings.hpp"
#include "bot/jobs/key_lock.hpp"
#include "bot/jobs/runner.hpp"
#include "bot/ports/chat.hpp"
#include "bot/ports/thread_ledger.hpp"
#include "bot/ports/ticket_desk.hpp"
#include "bot/tickets/conversation.hpp"
#include "bot/tickets/requests.hpp"

namespace tb::bot {

struct FlowLimits {
    std::int64_t max_upload_bytes = std::int64_t{10} * 1024 * 1024;  // per file; larger are linked
    // Zendesk allows about 30 updates per ticket in 10 minutes; stay below and coalesce.
    std::size_t updates_per_ticket = 20;
    std::chrono::minutes update_window{10};
};

// Counts of what the flows did, for metrics and the demo.
class FlowObserver {
public:
    virtual ~FlowObserver() = default;
    virtual void ignored(std::string_view reason) = 0;
    virtual void ticket_opened(TicketId id, ThreadKey const& key) = 0;
};

// The ticket flows of issue "tickets from Slack": a reaction or the shortcut opens exactly one
// ticket per thread; thread replies, edits and deletions follow it into Zendesk.
class TicketFlows {
public:
    TicketFlows(Settings const& settings, Chat& chat, TicketDesk& desk, ThreadLedger& ledger,
                Clock const& clock, FlowObserver& observer, FlowLimits limits = {});

    // Calls made while somebody waits on a form (the shortcut's group list: its trigger_id lives
    // 3 s) go through `interactive`, whose turns come before a backlog's. Default: the same desk.
    void answer_forms_with(TicketDesk& interactive) { form_desk_ = &interactive; }

    // Runs one request to its end or to the point where it must wait (JobOutcome::retry).
    asio::awaitable<JobOutcome> handle(SlackRequest request, std::string delivery_id);

    // Told of each ticket the flows open, before its card is posted (e.g. to start its SLA
    // clocks); a failure makes the job retry.
    using OpenedHook = std::function<asio::awaitable<Result<void>>(Ticket)>;
    void on_opened(OpenedHook hook) { opened_ = std::move(hook); }

private:
    // A request to open a ticket for the thread of one message.
    struct OpenRequest {
        std::string team;
        std::string channel;
        std::string message_ts;
        std::string requested_by;
        std::string delivery;
        std::optional<std::string> subject;  // set by the form
        std::optional<Priority> priority;
        std::optional<std::string> group;
    };
    struct Composed {
        NewTicket ticket;
        std::vector<CopiedMessage> included;
    };

    asio::awaitable<JobOutcome> on_reaction(ReactionAdded reaction, std::string delivery);
    asio::awaitable<JobOutcome> on_shortcut(ShortcutUsed shortcut);
    asio::awaitable<JobOutcome> on_form(TicketForm form, std::string delivery);
    asio::awaitable<JobOutcome> open(OpenRequest request);
    asio::awaitable<ApiResult<Composed>> compose(OpenRequest const& request, ThreadKey const& key,
                                                 std::vector<ChatMessage> const& thread,
                                                 std::string const& bot_user);
    asio::awaitable<ApiResult<std::vector<std::string>>> attach(ChatMessage const& message,
                                                                std::vector<std::string>& notes);
    // Reads the ledger under the message itself: a retry, or another reaction on a root that has
    // its ticket, then needs no conversations.replies (Tier 3, the scarcest budget of a burst).
    asio::awaitable<std::optional<JobOutcome>> open_known(OpenRequest const& request);
    // The thread has its ticket: finish this request's own work, or point a later one to it.
    asio::awaitable<JobOutcome> carry_on(ThreadRecord known, OpenRequest const& request);
    // `fresh`: the ticket as Zendesk just returned it, so it need not be read again.
    asio::awaitable<JobOutcome> finish(ThreadRecord record, std::string message_ts,
                                       std::optional<Ticket> fresh = std::nullopt);
    asio::awaitable<JobOutcome> point_to_existing(ThreadRecord record);

    asio::awaitable<JobOutcome> on_reply(ThreadReply reply);
    asio::awaitable<JobOutcome> on_edit(MessageEdited edit);
    asio::awaitable<JobOutcome> on_delete(MessageDeleted deletion);
    // Writes the thread's queued replies as one comment; the caller holds the thread's lock.
    asio::awaitable<JobOutcome> flush(ThreadKey key);
    asio::awaitable<JobOutcome> take_landed(TicketId id, std::vector<PendingReply>& queue);
    asio::awaitable<ApiResult<ThreadRecord>> follow_up(ThreadRecord record, Ticket closed,
                                                       NewComment comment);
    asio::awaitable<JobOutcome> note(std::string channel, std::string ts, std::string text);

    asio::awaitable<ApiResult<ChatIdentity>> identity();
    asio::awaitable<std::string> display_name(std::string user_id);
    // Waits when the ticket has used its update budget; empty when an update may go now.
    std::optional<std::chrono::milliseconds> update_budget(TicketId id);

    Settings const& settings_;
    Chat& chat_;
    TicketDesk& desk_;
    TicketDesk* form_desk_ = &desk_;
    ThreadLedger& ledger_;
    Clock const& clock_;
    FlowObserver& observer_;
    FlowLimits limits_;
    OpenedHook opened_;
    KeyLock threads_;  // one flow per thread at a time
    std::mutex budget_mutex_;
    std::map<TicketId, std::deque<Instant>> updates_;  // recent updates per ticket
};

// How a failed API call ends a job: transient errors wait and retry, others fail for good.
JobOutcome outcome_of(ApiError const& error, std::string_view what);
JobOutcome store_outcome(error_code ec, std::string_view what);

}  // namespace tb::bot
