#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "bot/ports/sla_book.hpp"

namespace tb::fakes {

namespace asio = boost::asio;

// bot::SlaBook in memory; counts record() reads, so a test sees what a tick looked at.
class MemorySlaBook final : public bot::SlaBook {
public:
    asio::awaitable<Result<void>> follow(bot::TicketId id, bot::Instant created, std::vector<std::string> tags,
                                         std::optional<std::int64_t> organization_id) override {
        std::lock_guard lock{mutex_};
        if (!records_.contains(id)) records_[id] = bot::SlaRecord{id, {created, std::move(tags), organization_id, {}}, {}, {}, {}};
        co_return Result<void>{};
    }
    asio::awaitable<Result<void>> describe(bot::TicketId id, std::optional<std::string> group,
                                           std::optional<std::string> priority) override {
        std::lock_guard lock{mutex_};
        if (records_.contains(id)) {
            if (group) records_[id].group = *group;
            if (priority) records_[id].priority = *priority;
        }
        co_return Result<void>{};
    }
    asio::awaitable<Result<bool>> add(bot::TicketId id, std::string key, bot::SlaEvent event) override {
        std::lock_guard lock{mutex_};
        if (!records_.contains(id) || !keys_.insert({id, key}).second) co_return false;
        records_[id].history.events.push_back(std::move(event));
        co_return true;
    }
    asio::awaitable<Result<std::optional<bot::SlaRecord>>> record(bot::TicketId id) override {
        std::lock_guard lock{mutex_};
        ++reads_;
        auto const it = records_.find(id);
        co_return it == records_.end() ? std::nullopt : std::optional{it->second};
    }
    asio::awaitable<Result<void>> schedule(bot::TicketId id, std::optional<bot::Instant> next_due,
                                           std::optional<bot::Instant> pending_overdue) override {
        std::lock_guard lock{mutex_};
        if (records_.contains(id)) {
            records_[id].next_due = next_due;
            if (pending_overdue) overdue_[id] = *pending_overdue;
            else overdue_.erase(id);
        }
        co_return Result<void>{};
    }
    asio::awaitable<Result<std::vector<bot::TicketId>>> pending_overdue(std::size_t limit) override {
        std::lock_guard lock{mutex_};
        std::vector<std::pair<bot::Instant, bot::TicketId>> found;
        for (auto const& [id, since] : overdue_) found.emplace_back(since, id);
        std::sort(found.begin(), found.end());
        std::vector<bot::TicketId> out;
        for (auto const& [since, id] : found) {
            if (out.size() < limit) out.push_back(id);
        }
        co_return out;
    }
    asio::awaitable<Result<std::vector<bot::TicketId>>> due(bot::Instant now, std::size_t limit) override {
        std::lock_guard lock{mutex_};
        std::vector<std::pair<bot::Instant, bot::TicketId>> found;
        for (auto const& [id, r] : records_) {
            if (r.next_due && *r.next_due <= now) found.emplace_back(*r.next_due, id);
        }
        std::sort(found.begin(), found.end());
        std::vector<bot::TicketId> out;
        for (auto const& [at, id] : found) {
            if (out.size() < limit) out.push_back(id);
        }
        co_return out;
    }
    asio::awaitable<Result<std::vector<bot::SlaRecord>>> created_between(bot::Instant from, bot::Instant to) override {
        std::lock_guard lock{mutex_};
        std::vector<bot::SlaRecord> out;
        for (auto const& [id, r] : records_) {
            if (r.history.created >= from && r.history.created < to) out.push_back(r);
        }
        co_return out;
    }

    std::optional<bot::Instant> next_due(bot::TicketId id) const {
        std::lock_guard lock{mutex_};
        auto const it = records_.find(id);
        return it == records_.end() ? std::nullopt : it->second.next_due;
    }
    int reads() const {
        std::lock_guard lock{mutex_};
        return reads_;
    }

private:
    mutable std::mutex mutex_;
    std::map<bot::TicketId, bot::SlaRecord> records_;
    std::set<std::pair<bot::TicketId, std::string>> keys_;
    std::map<bot::TicketId, bot::Instant> overdue_;
    int reads_ = 0;
};

}  // namespace tb::fakes
