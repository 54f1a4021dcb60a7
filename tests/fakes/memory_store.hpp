#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "bot/ports/store.hpp"

namespace tb::fakes {

namespace asio = boost::asio;

// bot::Store in memory, for flow and runner tests; behaves like the SQLite store.
class MemoryStore final : public bot::Store {
public:
    struct Row {
        bot::Job job;
        std::string state = "pending";
        bot::Instant due{};
        bot::Instant lease_until{};
        std::string last_error;
    };

    std::vector<Row> rows() const {
        std::lock_guard lock{mutex_};
        std::vector<Row> out;
        for (auto const& [id, row] : rows_) out.push_back(row);
        return out;
    }

    asio::awaitable<Result<bool>> record(bot::Delivery d) override {
        std::lock_guard lock{mutex_};
        if (!keys_.insert({d.source, d.delivery_id}).second) co_return false;
        if (d.answered) co_return true;
        Row row;
        row.job = bot::Job{next_id_++, d.source, d.delivery_id, d.payload, 0, d.received_at};
        row.due = d.received_at;
        rows_.emplace(row.job.id, std::move(row));
        co_return true;
    }
    asio::awaitable<Result<std::vector<bot::Job>>> claim(std::size_t limit, bot::Instant now,
                                                         std::chrono::seconds lease) override {
        co_return take(limit, now, lease, false);
    }
    asio::awaitable<Result<std::vector<bot::Job>>> claim_interactive(std::size_t limit, bot::Instant now,
                                                                     std::chrono::seconds lease) override {
        co_return take(limit, now, lease, true);
    }
    std::vector<bot::Job> take(std::size_t limit, bot::Instant now, std::chrono::seconds lease, bool interactive_only) {
        std::lock_guard lock{mutex_};
        ++claims_;
        std::vector<bot::Job> out;
        for (auto& [id, row] : rows_) {
            if (out.size() >= limit) break;
            if (interactive_only && !bot::is_interactive(row.job.source)) continue;
            bool const due = (row.state == "pending" && row.due <= now) ||
                             (row.state == "running" && row.lease_until <= now);
            if (!due) continue;
            row.state = "running";
            row.lease_until = now + lease;
            auto job = row.job;
            row.job.attempts += 1;
            out.push_back(job);
        }
        return out;
    }
    asio::awaitable<Result<void>> complete(bot::JobId id) override {
        std::lock_guard lock{mutex_};
        rows_.at(id).state = "done";
        co_return Result<void>{};
    }
    asio::awaitable<Result<void>> retry(bot::JobId id, bot::Instant due, std::string reason) override {
        std::lock_guard lock{mutex_};
        auto& row = rows_.at(id);
        row.state = "pending";
        row.due = due;
        row.last_error = std::move(reason);
        co_return Result<void>{};
    }
    asio::awaitable<Result<void>> bury(bot::JobId id, std::string reason) override {
        std::lock_guard lock{mutex_};
        auto& row = rows_.at(id);
        row.state = "dead";
        row.last_error = std::move(reason);
        co_return Result<void>{};
    }
    asio::awaitable<Result<void>> extend(bot::JobId id, bot::Instant until) override {
        std::lock_guard lock{mutex_};
        auto& row = rows_.at(id);
        if (row.state == "running") row.lease_until = until;
        co_return Result<void>{};
    }
    asio::awaitable<Result<bot::StoreStats>> stats() override {
        std::lock_guard lock{mutex_};
        bot::StoreStats s;
        s.deliveries = static_cast<std::int64_t>(keys_.size());
        for (auto const& [id, row] : rows_) {
            if (row.state == "pending") ++s.jobs_pending;
            if (row.state == "running") ++s.jobs_running;
            if (row.state == "done") ++s.jobs_done;
            if (row.state == "dead") ++s.jobs_dead;
        }
        co_return s;
    }
    asio::awaitable<Result<void>> ping() override { co_return Result<void>{}; }

    std::size_t claims() const {  // calls to claim and claim_interactive so far
        std::lock_guard lock{mutex_};
        return claims_;
    }

    Row row(bot::JobId id) const {
        std::lock_guard lock{mutex_};
        return rows_.at(id);
    }

private:
    mutable std::mutex mutex_;
    std::set<std::pair<bot::Source, std::string>> keys_;
    std::map<bot::JobId, Row> rows_;
    bot::JobId next_id_ = 1;
    std::size_t claims_ = 0;
};

}  // namespace tb::fakes
