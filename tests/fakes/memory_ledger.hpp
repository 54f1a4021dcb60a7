#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <mutex>
#include <utility>
#include <vector>

#include "bot/ports/thread_ledger.hpp"

namespace tb::fakes {

namespace asio = boost::asio;

// bot::ThreadLedger in memory, for flow tests; behaves like the SQLite ledger.
class MemoryLedger final : public bot::ThreadLedger {
public:
    // bot::ThreadLedger
    asio::awaitable<Result<std::optional<bot::ThreadRecord>>> find(bot::ThreadKey key) override {
        std::lock_guard lock{mutex_};
        auto const it = threads_.find(key.external_id());
        co_return it == threads_.end() ? std::nullopt : std::optional{it->second};
    }
    asio::awaitable<Result<std::optional<bot::ThreadRecord>>> find_by_ticket(bot::TicketId id) override {
        std::lock_guard lock{mutex_};
        for (auto const& [k, r] : threads_) {
            if (r.ticket_id == id && !r.closed) co_return std::optional{r};
        }
        for (auto const& [k, r] : threads_) {
            if (r.follows == id && !r.closed) co_return std::optional{r};
        }
        co_return std::nullopt;
    }
    asio::awaitable<Result<void>> save(bot::ThreadRecord record) override {
        std::lock_guard lock{mutex_};
        threads_[record.key.external_id()] = std::move(record);
        co_return Result<void>{};
    }
    asio::awaitable<Result<std::optional<bot::CopiedMessage>>> copied(std::string channel, std::string ts) override {
        std::lock_guard lock{mutex_};
        auto const it = copied_.find({channel, ts});
        co_return it == copied_.end() ? std::nullopt : std::optional{it->second};
    }
    asio::awaitable<Result<void>> remember(std::vector<bot::CopiedMessage> messages) override {
        std::lock_guard lock{mutex_};
        for (auto& m : messages) copied_[{m.channel, m.ts}] = std::move(m);
        co_return Result<void>{};
    }
    asio::awaitable<Result<bool>> queue(bot::PendingReply reply) override {
        std::lock_guard lock{mutex_};
        std::pair key{reply.channel, reply.ts};
        if (copied_.contains(key) || pending_.contains(key)) co_return false;
        pending_[key] = std::move(reply);
        co_return true;
    }
    asio::awaitable<Result<std::vector<bot::PendingReply>>> pending(bot::TicketId id) override {
        std::lock_guard lock{mutex_};
        std::vector<bot::PendingReply> out;
        for (auto const& [k, r] : pending_) {
            if (r.ticket_id == id) out.push_back(r);
        }
        std::sort(out.begin(), out.end(), [](auto const& a, auto const& b) { return a.ts < b.ts; });
        co_return out;
    }
    asio::awaitable<Result<void>> written(std::vector<bot::PendingReply> replies, bot::TicketId into) override {
        std::lock_guard lock{mutex_};
        for (auto const& r : replies) {
            pending_.erase({r.channel, r.ts});
            copied_[{r.channel, r.ts}] = bot::CopiedMessage{r.channel, r.ts, into, r.original};
        }
        co_return Result<void>{};
    }
    asio::awaitable<Result<bool>> step_done(std::string delivery, std::string step) override {
        std::lock_guard lock{mutex_};
        co_return steps_.contains({delivery, step});
    }
    asio::awaitable<Result<void>> mark_step(std::string delivery, std::string step) override {
        std::lock_guard lock{mutex_};
        steps_.insert({std::move(delivery), std::move(step)});
        co_return Result<void>{};
    }
    asio::awaitable<Result<std::optional<bot::ShownTicket>>> shown(bot::TicketId id) override {
        std::lock_guard lock{mutex_};
        auto const it = shown_.find(id);
        co_return it == shown_.end() ? std::nullopt : std::optional{it->second};
    }
    asio::awaitable<Result<void>> show(bot::ShownTicket ticket) override {
        std::lock_guard lock{mutex_};
        auto const it = shown_.find(ticket.ticket_id);
        auto const told = it == shown_.end() ? ticket.told_until : std::max(it->second.told_until, ticket.told_until);
        if (it == shown_.end() || it->second.updated_at <= ticket.updated_at) shown_[ticket.ticket_id] = ticket;
        shown_[ticket.ticket_id].told_until = told;
        co_return Result<void>{};
    }
    asio::awaitable<Result<std::optional<std::string>>> cursor(std::string name) override {
        std::lock_guard lock{mutex_};
        auto const it = cursors_.find(name);
        co_return it == cursors_.end() ? std::nullopt : std::optional{it->second};
    }
    asio::awaitable<Result<void>> save_cursor(std::string name, std::string value) override {
        std::lock_guard lock{mutex_};
        cursors_[std::move(name)] = std::move(value);
        co_return Result<void>{};
    }

    std::vector<bot::ThreadRecord> threads() const {
        std::lock_guard lock{mutex_};
        std::vector<bot::ThreadRecord> out;
        for (auto const& [k, r] : threads_) out.push_back(r);
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::map<std::string, bot::ThreadRecord> threads_;
    std::map<std::pair<std::string, std::string>, bot::CopiedMessage> copied_;
    std::map<std::pair<std::string, std::string>, bot::PendingReply> pending_;
    std::set<std::pair<std::string, std::string>> steps_;
    std::map<bot::TicketId, bot::ShownTicket> shown_;
    std::map<std::string, std::string> cursors_;
};

}  // namespace tb::fakes
