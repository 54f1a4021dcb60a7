#pragma once

#include <deque>
#include <optional>
#include <utility>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "bot/ports/ticket_desk.hpp"
#include "bot/tickets/triage.hpp"

namespace tb::fakes {

namespace asio = boost::asio;

// bot::TicketDesk in memory, for flow tests: tickets with their comments, users and groups, and
// Zendesk's idempotency keys. fail_next() makes the next calls answer an error.
class MemoryDesk final : public bot::TicketDesk {
public:
    struct Stored {
        bot::Ticket ticket;
        bot::NewTicket created;  // as it was asked for
        std::vector<bot::NewComment> comments;  // after the first
        std::vector<bot::DeskComment> history;  // every comment, as the comments API lists them
        std::int64_t change = 0;  // position in the incremental export
    };

    bot::GroupId add_group(std::string name) {
        std::lock_guard lock{mutex_};
        groups_[next_group_] = std::move(name);
        return next_group_++;
    }
    bot::DeskUserId add_user(std::string name, std::string email, std::string role = "end-user") {
        std::lock_guard lock{mutex_};
        users_[next_user_] = {std::move(name), std::move(email)};
        roles_[next_user_] = std::move(role);
        return next_user_++;
    }
    // Updates as they were asked for, in order (ticket, change, comment).
    struct Update {
        bot::TicketId id = 0;
        bot::TicketChange change;
        std::optional<bot::NewComment> comment;
    };
    std::vector<Update> updates() const {
        std::lock_guard lock{mutex_};
        return updates_;
    }
    void set_assignee(bot::TicketId id, std::optional<bot::DeskUserId> assignee) {
        std::lock_guard lock{mutex_};
        tickets_.at(id).ticket.assignee_id = assignee;
    }
    // Makes a ticket as an agent would in Zendesk, without the flows.
    bot::TicketId add_ticket(std::string subject, std::string priority = "normal", bot::Instant created = {}) {
        std::lock_guard lock{mutex_};
        Stored stored;
        stored.ticket.id = next_ticket_++;
        stored.ticket.subject = std::move(subject);
        stored.ticket.status = "open";
        stored.ticket.priority = std::move(priority);
        stored.ticket.created_at = created;
        stored.ticket.updated_at = created;
        auto const id = stored.ticket.id;
        tickets_[id] = std::move(stored);
        return id;
    }
    // Changes a ticket as an agent would in Zendesk (no update is recorded): updated_at moves
    // a second on and the ticket comes next in the incremental export.
    template <class Edit>
    void agent_edit(bot::TicketId id, Edit edit) {
        std::lock_guard lock{mutex_};
        auto& t = tickets_.at(id);
        edit(t.ticket);
        touch(t);
    }
    std::int64_t agent_comment(bot::TicketId id, bot::DeskUserId author, std::string body, bool is_public = true) {
        std::lock_guard lock{mutex_};
        auto& t = tickets_.at(id);
        touch(t);
        t.history.push_back({next_comment_, author, is_public, std::move(body), t.ticket.updated_at, false});
        return next_comment_++;
    }
    void fail_next(bot::ApiError error, int times = 1) {
        std::lock_guard lock{mutex_};
        for (int i = 0; i < times; ++i) failures_.push_back(error);
    }
    // The n-th call from now (0: the next) fails once with `error`.
    void fail_nth(int n, bot::ApiError error) {
        std::lock_guard lock{mutex_};
        fail_at_[calls_ + n] = std::move(error);
    }
    // The next update is made, but its answer is lost on the way back (a timeout, a 5xx).
    void lose_next_answer(bot::ApiError error) {
        std::lock_guard lock{mutex_};
        lost_answer_ = std::move(error);
    }
    void set_status(bot::TicketId id, std::string status) {
        std::lock_guard lock{mutex_};
        tickets_.at(id).ticket.status = std::move(status);
    }
    std::vector<Stored> tickets() const {
        std::lock_guard lock{mutex_};
        std::vector<Stored> out;
        for (auto const& [id, t] : tickets_) out.push_back(t);
        return out;
    }
    int creates() const {
        std::lock_guard lock{mutex_};
        return creates_;
    }
    int gets() const {
        std::lock_guard lock{mutex_};
        return gets_;
    }
    int comment_reads() const {
        std::lock_guard lock{mutex_};
        return comment_reads_;
    }

    // bot::TicketDesk
    asio::awaitable<bot::ApiResult<bot::Ticket>> create(bot::NewTicket ticket, std::string key) override {
        if (auto e = failure()) co_return *e;
        std::lock_guard lock{mutex_};
        if (auto const it = keys_.find(key); it != keys_.end()) co_return tickets_.at(it->second).ticket;
        if (ticket.follow_up_of && tickets_.at(*ticket.follow_up_of).ticket.status != "closed") {
            co_return bot::api_error(bot::ApiError::Kind::rejected, "follow-up source is not closed");
        }
        ++creates_;
        Stored stored;
        stored.ticket.id = next_ticket_++;
        stored.ticket.subject = ticket.subject;
        stored.ticket.status = "new";
        stored.ticket.priority = bot::to_string(ticket.priority);
        stored.ticket.group_id = ticket.group_id;
        stored.ticket.external_id = ticket.external_id;
        stored.ticket.requester_id = ticket.requester_id ? ticket.requester_id : find_email(ticket.requester.email);
        stored.ticket.created_at = stored.ticket.updated_at = now;
        stored.change = ++changes_;
        stored.history.push_back({next_comment_++, self_id, ticket.comment.is_public, ticket.comment.body, now, true});
        stored.created = std::move(ticket);
        keys_[key] = stored.ticket.id;
        auto const id = stored.ticket.id;
        tickets_[id] = std::move(stored);
        co_return tickets_.at(id).ticket;
    }
    asio::awaitable<bot::ApiResult<std::optional<bot::Ticket>>> find_by_external_id(std::string external_id) override {
        if (auto e = failure()) co_return *e;
        std::lock_guard lock{mutex_};
        for (auto const& [id, t] : tickets_) {
            if (t.ticket.external_id == external_id) co_return std::optional{t.ticket};
        }
        co_return std::optional<bot::Ticket>{};
    }
    asio::awaitable<bot::ApiResult<bot::Ticket>> get(bot::TicketId id) override {
        if (auto e = failure()) co_return *e;
        std::lock_guard lock{mutex_};
        ++gets_;
        auto const it = tickets_.find(id);
        if (it == tickets_.end()) co_return bot::api_error(bot::ApiError::Kind::not_found, "RecordNotFound");
        co_return it->second.ticket;
    }
    asio::awaitable<bot::ApiResult<bot::Ticket>> update(bot::TicketId id, bot::TicketChange change,
                                                        std::optional<bot::NewComment> comment) override {
        if (auto e = failure()) co_return *e;
        std::lock_guard lock{mutex_};
        auto const it = tickets_.find(id);
        if (it == tickets_.end()) co_return bot::api_error(bot::ApiError::Kind::not_found, "RecordNotFound");
        auto& t = it->second;
        if (t.ticket.status == "closed") co_return bot::api_error(bot::ApiError::Kind::closed, "closed");
        auto const assignee = change.assignee_id ? change.assignee_id : t.ticket.assignee_id;
        if (change.status == "solved" && !assignee) {
            co_return bot::api_error(bot::ApiError::Kind::rejected, "Assignee: is required when solving a ticket");
        }
        if (change.assignee_id && roles_[*change.assignee_id] == "end-user") {
            co_return bot::api_error(bot::ApiError::Kind::rejected, "Assignee: is invalid");
        }
        updates_.push_back({id, change, comment});
        if (comment) {
            t.history.push_back({next_comment_++, comment->author_id.value_or(self_id), comment->is_public,
                                 comment->body, now, true});
            t.comments.push_back(std::move(*comment));
        }
        touch(t);
        if (change.status) t.ticket.status = *change.status;
        if (change.priority) t.ticket.priority = bot::to_string(*change.priority);
        if (change.group_id) t.ticket.group_id = *change.group_id;
        if (change.assignee_id) t.ticket.assignee_id = *change.assignee_id;
        if (change.subject) t.ticket.subject = *change.subject;
        if (t.ticket.status == "new" && t.ticket.assignee_id) t.ticket.status = "open";
        if (auto lost = std::exchange(lost_answer_, std::nullopt)) co_return *lost;
        co_return t.ticket;
    }
    asio::awaitable<bot::ApiResult<std::optional<bot::DeskUser>>> find_person(std::string email) override {
        if (auto e = failure()) co_return *e;
        std::lock_guard lock{mutex_};
        auto const id = find_email(email);
        if (!id) co_return std::optional<bot::DeskUser>{};
        co_return std::optional{bot::DeskUser{*id, users_.at(*id).first, email, roles_[*id]}};
    }
    asio::awaitable<bot::ApiResult<bot::TicketPage>> search(bot::TicketQuery query) override {
        if (auto e = failure()) co_return *e;
        std::lock_guard lock{mutex_};
        bot::TicketPage page;
        for (auto const& [id, t] : tickets_) {
            auto const& k = t.ticket;
            if (k.status == "solved" || k.status == "closed") continue;
            using Scope = bot::TicketQuery::Scope;
            if (query.scope == Scope::assigned_to && k.assignee_id != query.assignee) continue;
            if (query.scope == Scope::unassigned && k.assignee_id) continue;
            if (query.scope == Scope::in_group && k.group_id != query.group) continue;
            if (!query.priority.empty() && k.priority != query.priority) continue;
            ++page.total;
            if (page.tickets.size() < query.limit) page.tickets.push_back(k);
        }
        co_return page;
    }
    asio::awaitable<bot::ApiResult<bot::ChangedTickets>> changed_tickets(bot::ExportPosition from) override {
        if (auto e = failure()) co_return *e;
        std::lock_guard lock{mutex_};
        std::int64_t const after = from.cursor.empty() ? -1 : std::stoll(from.cursor);
        std::vector<Stored const*> changed;
        for (auto const& [id, t] : tickets_) {
            if (from.cursor.empty() ? t.ticket.updated_at >= from.start : t.change > after) changed.push_back(&t);
        }
        std::sort(changed.begin(), changed.end(), [](auto* a, auto* b) { return a->change < b->change; });
        bot::ChangedTickets out;
        std::int64_t last = std::max<std::int64_t>(after, 0);
        for (auto const* t : changed) {
            out.tickets.push_back(t->ticket);
            last = std::max(last, t->change);
        }
        out.next_cursor = std::to_string(last);
        co_return out;
    }
    asio::awaitable<bot::ApiResult<std::vector<bot::DeskComment>>> comments(bot::TicketId id) override {
        if (auto e = failure()) co_return *e;
        std::lock_guard lock{mutex_};
        ++comment_reads_;
        if (!tickets_.contains(id)) co_return bot::api_error(bot::ApiError::Kind::not_found, "RecordNotFound");
        co_return tickets_.at(id).history;
    }
    asio::awaitable<bot::ApiResult<bot::DeskUser>> person(bot::DeskUserId id) override {
        std::lock_guard lock{mutex_};
        if (!users_.contains(id)) co_return bot::api_error(bot::ApiError::Kind::not_found, "RecordNotFound");
        co_return bot::DeskUser{id, users_.at(id).first, users_.at(id).second, roles_[id]};
    }
    asio::awaitable<bot::ApiResult<bot::DeskUserId>> self() override {
        if (auto e = failure()) co_return *e;
        co_return self_id;
    }
    asio::awaitable<bot::ApiResult<std::vector<bot::DeskGroup>>> groups() override {
        if (auto e = failure()) co_return *e;
        std::lock_guard lock{mutex_};
        std::vector<bot::DeskGroup> out;
        for (auto const& [id, n] : groups_) out.push_back({id, n});
        co_return out;
    }
    asio::awaitable<bot::ApiResult<std::optional<bot::DeskUserId>>> find_user(std::string email) override {
        if (auto e = failure()) co_return *e;
        std::lock_guard lock{mutex_};
        co_return find_email(email);
    }
    asio::awaitable<bot::ApiResult<std::string>> user_name(bot::DeskUserId id) override {
        std::lock_guard lock{mutex_};
        if (!users_.contains(id)) co_return bot::api_error(bot::ApiError::Kind::not_found, "RecordNotFound");
        co_return users_.at(id).first;
    }
    asio::awaitable<bot::ApiResult<std::optional<bot::GroupId>>> group_id(std::string name) override {
        std::lock_guard lock{mutex_};
        for (auto const& [id, n] : groups_) {
            if (n == name) co_return std::optional{id};
        }
        co_return std::optional<bot::GroupId>{};
    }
    asio::awaitable<bot::ApiResult<std::string>> group_name(bot::GroupId id) override {
        std::lock_guard lock{mutex_};
        if (!groups_.contains(id)) co_return bot::api_error(bot::ApiError::Kind::not_found, "RecordNotFound");
        co_return groups_.at(id);
    }
    asio::awaitable<bot::ApiResult<std::vector<std::string>>> group_names() override {
        std::lock_guard lock{mutex_};
        std::vector<std::string> out;
        for (auto const& [id, n] : groups_) out.push_back(n);
        co_return out;
    }
    asio::awaitable<bot::ApiResult<std::string>> upload(std::string filename, std::string, std::string) override {
        if (auto e = failure()) co_return *e;
        co_return "token-" + filename;
    }
    std::string agent_url(bot::TicketId id) const override {
        return "https://acme.zendesk.com/agent/tickets/" + std::to_string(id);
    }

private:
    void touch(Stored& t) {
        t.ticket.updated_at = std::max(now, t.ticket.updated_at + std::chrono::seconds{1});
        t.change = ++changes_;
    }
    std::optional<bot::ApiError> failure() {
        std::lock_guard lock{mutex_};
        if (auto const it = fail_at_.find(calls_++); it != fail_at_.end()) return it->second;
        if (failures_.empty()) return std::nullopt;
        auto e = failures_.front();
        failures_.pop_front();
        return e;
    }
    std::optional<bot::DeskUserId> find_email(std::string const& email) const {
        for (auto const& [id, u] : users_) {
            if (!email.empty() && u.second == email) return id;
        }
        return std::nullopt;
    }

    mutable std::mutex mutex_;
    std::map<bot::TicketId, Stored> tickets_;
    std::map<std::string, bot::TicketId> keys_;
    std::map<bot::GroupId, std::string> groups_;
    std::map<bot::DeskUserId, std::pair<std::string, std::string>> users_;
    std::map<bot::DeskUserId, std::string> roles_;
    std::vector<Update> updates_;
    std::deque<bot::ApiError> failures_;
    std::map<int, bot::ApiError> fail_at_;
    std::optional<bot::ApiError> lost_answer_;
    int gets_ = 0;
    int comment_reads_ = 0;
    int calls_ = 0;
    bot::TicketId next_ticket_ = 100;
    bot::GroupId next_group_ = 1;
    bot::DeskUserId next_user_ = 500;
    int creates_ = 0;
    std::int64_t changes_ = 0;
    std::int64_t next_comment_ = 9000;

public:
    bot::Instant now{};  // created_at of new tickets
    bot::DeskUserId self_id = 1;  // the API user
};

}  // namespace tb::fakes
