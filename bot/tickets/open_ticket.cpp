#include <algorithm>
#include <map>

#include "bot/tickets/markup.hpp"
#include "bot/tickets/ticket_flows.hpp"
#include "bot/tickets/ticket_card.hpp"
#include "bot/tickets/triage.hpp"

namespace tb::bot {
namespace {

bool from_bot(ChatMessage const& message, std::string const& bot_user) {
    return !message.bot_id.empty() || message.user == bot_user || message.user.empty();
}

std::string channel_label(Settings const& settings, std::string const& channel) {
    auto const* watched = find_channel(settings, channel);
    return watched != nullptr && !watched->name.empty() ? watched->name : channel;
}

}  // namespace

asio::awaitable<std::optional<JobOutcome>> TicketFlows::open_known(OpenRequest const& request) {
    ThreadKey const key{request.team, request.channel, request.message_ts};
    auto guard = co_await threads_.acquire(key.external_id());
    auto const known = co_await ledger_.find(key);
    if (!known) co_return store_outcome(known.error(), "open");
    if (!*known) co_return std::nullopt;
    co_return co_await carry_on(**known, request);
}

asio::awaitable<JobOutcome> TicketFlows::carry_on(ThreadRecord known, OpenRequest const& request) {
    if (known.origin != request.delivery) co_return co_await point_to_existing(std::move(known));
    co_return co_await finish(std::move(known), request.message_ts);
}

asio::awaitable<JobOutcome> TicketFlows::open(OpenRequest request) {
    if (auto done = co_await open_known(request)) co_return std::move(*done);
    auto const me = co_await identity();
    if (!me) co_return outcome_of(me.error(), "auth.test");
    auto const thread = co_await chat_.thread(request.channel, request.message_ts);
    if (!thread && thread.error().kind == ApiError::Kind::not_found) {
        observer_.ignored("message gone");
        co_return JobOutcome::done();
    }
    if (!thread) co_return outcome_of(thread.error(), "conversations.replies");
    if (thread->empty()) co_return JobOutcome::done();

    ThreadKey const key{request.team, request.channel, thread->front().root_ts()};
    auto guard = co_await threads_.acquire(key.external_id());
    auto const known = co_await ledger_.find(key);
    if (!known) co_return store_outcome(known.error(), "open");
    if (*known) co_return co_await carry_on(**known, request);

    // A retry after a crash between Zendesk's create and our save finds the ticket it made.
    auto const found = co_await desk_.find_by_external_id(key.external_id());
    if (!found) co_return outcome_of(found.error(), "find ticket");
    Ticket ticket;
    std::vector<CopiedMessage> included;
    if (*found) {
        ticket = **found;
    } else {
        auto composed = co_await compose(request, key, *thread, me->user_id);
        if (!composed) co_return outcome_of(composed.error(), "compose ticket");
        included = std::move(composed->included);
        auto const idempotency_key = key.external_id();
        auto created = co_await desk_.create(std::move(composed->ticket), idempotency_key);
        if (!created) {
            if (!created.error().transient()) {
                auto const text = "I could not open a Zendesk ticket for this thread: Zendesk said \"" +
                                  created.error().message + "\".";
                co_await chat_.post(request.channel, key.thread_ts, text);
            }
            co_return outcome_of(created.error(), "create ticket");
        }
        ticket = std::move(*created);
    }
    ThreadRecord record;
    record.key = key;
    record.ticket_id = ticket.id;
    record.origin = request.delivery;
    if (auto saved = co_await ledger_.save(record); !saved) co_return store_outcome(saved.error(), "open");
    if (!included.empty()) {
        if (auto kept = co_await ledger_.remember(std::move(included)); !kept) {
            co_return store_outcome(kept.error(), "open");
        }
    }
    observer_.ticket_opened(ticket.id, key);
    co_return co_await finish(std::move(record), request.message_ts, std::move(ticket));
}

asio::awaitable<ApiResult<TicketFlows::Composed>> TicketFlows::compose(
    OpenRequest const& request, ThreadKey const& key, std::vector<ChatMessage> const& thread,
    std::string const& bot_user) {
    std::vector<ChatMessage const*> messages;
    for (auto const& m : thread) {
        if (!from_bot(m, bot_user)) messages.push_back(&m);
    }
    if (messages.empty()) messages.push_back(&thread.front());

    std::map<std::string, ChatUser, std::less<>> people;
    for (auto const* m : messages) {
        auto ids = mentioned_users(m->text);
        ids.push_back(m->user);
        for (auto const& id : ids) {
            if (id.empty() || people.contains(id)) continue;
            auto user = co_await chat_.user(id);
            if (!user && user.error().transient()) co_return user.error();
            ChatUser known_user;
            known_user.id = id;
            known_user.name = id;
            people[id] = user ? std::move(*user) : known_user;
        }
    }
    UserNamer const name_of = [&people](std::string_view id) {
        auto const it = people.find(id);
        return it == people.end() ? std::string{} : it->second.display();
    };

    Composed out;
    std::vector<ConversationEntry> entries;
    std::string all_text;
    for (auto const* m : messages) {
        ConversationEntry entry;
        entry.author = name_of(m->user).empty() ? "Someone" : name_of(m->user);
        entry.ts = m->ts;
        entry.text = slack_to_text(m->text, name_of);
        auto tokens = co_await attach(*m, entry.notes);
        if (!tokens) co_return tokens.error();
        out.ticket.comment.uploads.insert(out.ticket.comment.uploads.end(), tokens->begin(), tokens->end());
        all_text += entry.text + "\n";
        CopiedMessage copied;
        copied.channel = m->channel.empty() ? key.channel : m->channel;
        copied.ts = m->ts;
        copied.text = entry.text;
        out.included.push_back(std::move(copied));
        entries.push_back(std::move(entry));
    }
    auto const permalink = co_await chat_.permalink(key.channel, key.thread_ts);
    if (!permalink && permalink.error().transient()) co_return permalink.error();

    auto const& root = *messages.front();
    auto const routed = triage(settings_, key.channel, all_text);
    auto& ticket = out.ticket;
    ticket.subject = request.subject ? subject_line(*request.subject, 150) : subject_line(entries.front().text);
    if (ticket.subject.empty()) ticket.subject = "Slack request from " + entries.front().author;
    ticket.comment.body = render_conversation(entries, channel_label(settings_, key.channel),
                                              permalink ? *permalink : std::string{"(permalink unavailable)"});
    ticket.comment.is_public = true;
    auto const requester = people.find(root.user);
    if (requester != people.end()) {
        ticket.requester.name = requester->second.display();
        ticket.requester.email = requester->second.email;
    } else {
        ticket.requester.name = "Slack user";
    }
    ticket.priority = request.priority.value_or(routed.priority);
    auto const group = request.group ? request.group : routed.group;
    if (group) {
        auto id = co_await desk_.group_id(*group);
        if (!id && id.error().transient()) co_return id.error();
        if (id) ticket.group_id = *id;
    }
    ticket.tags = routed.tags;
    ticket.external_id = key.external_id();
    co_return out;
}

asio::awaitable<ApiResult<std::vector<std::string>>> TicketFlows::attach(ChatMessage const& message,
                                                                        std::vector<std::string>& notes) {
    std::vector<std::string> tokens;
    for (auto const& file : message.files) {
        auto const link = file.permalink.empty() ? file.url_private : file.permalink;
        if (file.size > limits_.max_upload_bytes) {
            notes.push_back("File " + file.name + " (" + human_size(file.size) + ") is over the " +
                            human_size(limits_.max_upload_bytes) + " upload cap; open it in Slack: " + link);
            continue;
        }
        auto bytes = co_await chat_.download(file, limits_.max_upload_bytes);
        if (!bytes && bytes.error().transient()) co_return bytes.error();
        if (!bytes) {
            notes.push_back("File " + file.name + " could not be copied (" + bytes.error().message +
                            "); open it in Slack: " + link);
            continue;
        }
        auto const type = file.mimetype.empty() ? std::string{"application/octet-stream"} : file.mimetype;
        auto token = co_await desk_.upload(file.name, type, std::move(*bytes));
        if (!token && token.error().transient()) co_return token.error();
        if (!token) {
            notes.push_back("File " + file.name + " was refused by Zendesk (" + token.error().message +
                            "); open it in Slack: " + link);
            continue;
        }
        notes.push_back("Attached: " + file.name);
        tokens.push_back(std::move(*token));
    }
    co_return tokens;
}

asio::awaitable<JobOutcome> TicketFlows::finish(ThreadRecord record, std::string message_ts,
                                                std::optional<Ticket> fresh) {
    if (record.card_ts.empty()) {
        ApiResult<Ticket> ticket = Ticket{};
        if (fresh) {
            ticket = std::move(*fresh);
        } else {
            ticket = co_await desk_.get(record.ticket_id);
        }
        if (!ticket) co_return outcome_of(ticket.error(), "get ticket");
        if (opened_) {
            if (auto told = co_await opened_(*ticket); !told) co_return store_outcome(told.error(), "ticket opened");
        }
        auto card = co_await ticket_card(desk_, *ticket, record.follows);
        auto const posted = co_await chat_.post_card(record.key.channel, record.key.thread_ts, std::move(card));
        if (!posted) co_return outcome_of(posted.error(), "post card");
        record.card_ts = *posted;
        if (auto saved = co_await ledger_.save(record); !saved) co_return store_outcome(saved.error(), "card");
        // What the card shows is where a later catch-up from Zendesk starts telling changes.
        if (auto shown = co_await ledger_.show(shown_from(*ticket)); !shown) {
            co_return store_outcome(shown.error(), "shown ticket");
        }
    }
    if (!record.reacted && !settings_.slack.created_emoji.empty()) {
        auto const reacted = co_await chat_.react(record.key.channel, message_ts, settings_.slack.created_emoji);
        if (!reacted && reacted.error().kind != ApiError::Kind::not_found) {
            co_return outcome_of(reacted.error(), "reactions.add");
        }
        record.reacted = true;
        if (auto saved = co_await ledger_.save(record); !saved) co_return store_outcome(saved.error(), "react");
    }
    co_return JobOutcome::done();
}

asio::awaitable<JobOutcome> TicketFlows::point_to_existing(ThreadRecord record) {
    if (record.duplicate_noticed) {
        observer_.ignored("thread has a ticket");
        co_return JobOutcome::done();
    }
    auto const text = "This thread already has ticket #" + std::to_string(record.ticket_id) + ": " +
                      desk_.agent_url(record.ticket_id);
    auto const posted = co_await chat_.post(record.key.channel, record.key.thread_ts, text);
    if (!posted) co_return outcome_of(posted.error(), "chat.postMessage");
    record.duplicate_noticed = true;
    if (auto saved = co_await ledger_.save(record); !saved) co_return store_outcome(saved.error(), "notice");
    co_return JobOutcome::done();
}

}  // namespace tb::bot
