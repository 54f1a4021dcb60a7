#include "adapters/store/sqlite/sqlite_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "adapters/store/sqlite/schema.hpp"
#include "adapters/store/sqlite/statement.hpp"
#include "adapters/store/sqlite/wal_checkpointer.hpp"

namespace tb::store {
namespace {

bot::Source source_from(std::string_view text) {
    if (text == "slack_command") return bot::Source::slack_command;
    if (text == "slack_interaction") return bot::Source::slack_interaction;
    if (text == "zendesk_webhook") return bot::Source::zendesk_webhook;
    if (text == "scheduled") return bot::Source::scheduled;
    return bot::Source::slack_event;
}

error_code unavailable() { return bot::errc::store_unavailable; }

class SqliteStore final : public BlockingStore {
public:
    SqliteStore(std::filesystem::path const& path, SqliteOptions const& options) {
        db_ = open(path);
        try {
            prepare(options);
            checkpointer_.emplace(path, db_, options.wal);
        } catch (...) {
            statements_clear();
            sqlite3_close_v2(db_);
            throw;
        }
    }

    ~SqliteStore() override {
        checkpointer_.reset();  // folds the WAL in while this connection is still open
        std::lock_guard lock{mutex_};
        statements_clear();
        sqlite3_close_v2(db_);
    }

    SqliteStore(SqliteStore const&) = delete;
    SqliteStore& operator=(SqliteStore const&) = delete;

    Result<WriteResult> write(WriteBatch const& batch) override {
        std::lock_guard lock{mutex_};
        checkpointer_->before_write();
        WriteResult result;
        result.fresh.reserve(batch.deliveries.size());
        result.claimed.reserve(batch.claims.size());
        Transaction tx{db_, begin_, commit_};
        if (!tx.began()) return failed("begin");
        for (auto const& d : batch.deliveries) {
            auto fresh = insert(d);
            if (!fresh) return fresh.error();
            result.fresh.push_back(*fresh);
        }
        auto const now_ms = bot::to_unix_ms(batch.now);
        for (auto const& o : batch.outcomes) {
            if (auto const settled = settle(o, now_ms); !settled) return settled.error();
        }
        for (auto const& c : batch.claims) {
            auto jobs = lease(c);
            if (!jobs) return jobs.error();
            result.claimed.push_back(std::move(*jobs));
        }
        if (!tx.commit()) return failed("commit");
        return result;
    }

    Result<bot::StoreStats> stats() override {
        std::lock_guard lock{mutex_};
        count_.reset();
        if (count_.step() != SQLITE_ROW) return failed("stats");
        bot::StoreStats s;
        s.deliveries = count_.column_int64(0);
        s.jobs_pending = count_.column_int64(1);
        s.jobs_running = count_.column_int64(2);
        s.jobs_dead = count_.column_int64(3);
        count_.reset();
        return s;
    }

    Result<void> ping() override {
        std::lock_guard lock{mutex_};
        if (sqlite3_exec(db_, "SELECT 1 FROM jobs LIMIT 1", nullptr, nullptr, nullptr) != SQLITE_OK) {
            return failed("ping");
        }
        return {};
    }

private:
    void prepare(SqliteOptions const& options) {
        exec(db_, "PRAGMA journal_mode=WAL");
        exec(db_, "PRAGMA synchronous=FULL");
        // Another connection (the ledger) may hold the write lock for a moment: wait for it.
        auto const busy = "PRAGMA busy_timeout=" + std::to_string(options.busy_timeout.count());
        exec(db_, busy.c_str());
        // Checkpoints are WalCheckpointer's (off the commit path); after the WAL starts over
        // its file is cut back to about its limit.
        exec(db_, "PRAGMA wal_autocheckpoint=0");
        auto const limit = "PRAGMA journal_size_limit=" +
                           std::to_string(options.wal.limit_frames * kPageBytes);
        exec(db_, limit.c_str());
        ensure_schema(db_);
        // One process owns a SQLite file, so a job still leased now was cut off by a crash.
        exec(db_, "UPDATE jobs SET state = 'pending', lease_until = NULL WHERE state = 'running'");
        insert_delivery_ = Statement{db_, "INSERT OR IGNORE INTO deliveries (source, delivery_id, received_at) VALUES (?, ?, ?)"};
        insert_job_ = Statement{db_, "INSERT INTO jobs (source, delivery_id, payload, state, due_at, created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)"};
        // Each arm walks its own partial index in due order and stops after ?2 rows, so a claim
        // reads at most 2 × limit rows however long the backlog is; then each chosen job is
        // leased by its rowid. (One UPDATE … WHERE id IN (…) RETURNING would build three
        // temporary b-trees per claim.)
        // Someone waits on a command or a button (a response_url, a trigger_id that expires in
        // 3 s): those go ahead of any backlog of events, copies and catch-ups.
        interactive_ = Statement{db_, R"sql(
            SELECT id, source, delivery_id, payload, attempts, created_at, due_at FROM jobs
            WHERE state = 'pending' AND (source = 'slack_command' OR source = 'slack_interaction')
              AND due_at <= ?1 ORDER BY due_at LIMIT ?2)sql"};
        due_ = Statement{db_, R"sql(
            SELECT id, source, delivery_id, payload, attempts, created_at, due_at FROM jobs
            WHERE state = 'pending' AND due_at <= ?1 ORDER BY due_at LIMIT ?2)sql"};
        expired_ = Statement{db_, R"sql(
            SELECT id, source, delivery_id, payload, attempts, created_at, lease_until FROM jobs
            WHERE state = 'running' AND lease_until <= ?1 ORDER BY lease_until LIMIT ?2)sql"};
        lease_ = Statement{db_, "UPDATE jobs SET state = 'running', lease_until = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?"};
        begin_ = Statement{db_, "BEGIN IMMEDIATE"};
        commit_ = Statement{db_, "COMMIT"};
        complete_ = Statement{db_, "UPDATE jobs SET state = 'done', lease_until = NULL, payload = x'', updated_at = ? WHERE id = ?"};
        retry_ = Statement{db_, "UPDATE jobs SET state = 'pending', lease_until = NULL, due_at = ?, last_error = ?, updated_at = ? WHERE id = ?"};
        bury_ = Statement{db_, "UPDATE jobs SET state = 'dead', lease_until = NULL, last_error = ?, updated_at = ? WHERE id = ?"};
        extend_ = Statement{db_, "UPDATE jobs SET lease_until = ?, updated_at = ? "
                                 "WHERE id = ? AND state = 'running'"};
        count_ = Statement{db_, R"sql(SELECT
            (SELECT count(*) FROM deliveries),
            (SELECT count(*) FROM jobs WHERE state = 'pending'),
            (SELECT count(*) FROM jobs WHERE state = 'running'),
            (SELECT count(*) FROM jobs WHERE state = 'dead'))sql"};
    }

    void statements_clear() {
        insert_delivery_ = {};
        insert_job_ = {};
        interactive_ = {};
        due_ = {};
        expired_ = {};
        lease_ = {};
        begin_ = {};
        commit_ = {};
        complete_ = {};
        retry_ = {};
        bury_ = {};
        extend_ = {};
        count_ = {};
    }

    Result<bool> insert(bot::Delivery const& d) {
        auto const source = bot::to_string(d.source);
        auto const at = bot::to_unix_ms(d.received_at);
        insert_delivery_.reset();
        insert_delivery_.bind_static(1, source);
        insert_delivery_.bind_static(2, d.delivery_id);
        insert_delivery_.bind(3, at);
        if (!insert_delivery_.done()) return Result<bool>{boost::system::in_place_error, failed("record delivery")};
        if (sqlite3_changes(db_) != 1) return false;
        if (d.answered) return true;
        insert_job_.reset();
        insert_job_.bind_static(1, source);
        insert_job_.bind_static(2, d.delivery_id);
        insert_job_.bind_blob_static(3, d.payload);
        insert_job_.bind(4, at);
        insert_job_.bind(5, at);
        insert_job_.bind(6, at);
        if (!insert_job_.done()) return Result<bool>{boost::system::in_place_error, failed("queue job")};
        return true;
    }

    Result<void> settle(Outcome const& o, std::int64_t now_ms) {
        Statement* statement = nullptr;
        switch (o.kind) {
            case Outcome::Kind::done:
                statement = &complete_;
                complete_.reset();
                complete_.bind(1, now_ms);
                complete_.bind(2, o.id);
                break;
            case Outcome::Kind::retry:
                statement = &retry_;
                retry_.reset();
                retry_.bind(1, bot::to_unix_ms(o.due));
                retry_.bind_static(2, o.reason);
                retry_.bind(3, now_ms);
                retry_.bind(4, o.id);
                break;
            case Outcome::Kind::dead:
                statement = &bury_;
                bury_.reset();
                bury_.bind_static(1, o.reason);
                bury_.bind(2, now_ms);
                bury_.bind(3, o.id);
                break;
            case Outcome::Kind::extend:
                statement = &extend_;
                extend_.reset();
                extend_.bind(1, bot::to_unix_ms(o.due));
                extend_.bind(2, now_ms);
                extend_.bind(3, o.id);
                break;
        }
        if (!statement->done()) return failed("write job outcome");
        return {};
    }

    Result<std::vector<bot::Job>> lease(ClaimRequest const& c) {
        std::vector<bot::Job> jobs;
        if (c.limit == 0) return jobs;
        auto const now_ms = bot::to_unix_ms(c.now);
        std::vector<std::pair<std::pair<int, std::int64_t>, bot::Job>> due;  // ((lane, due at), job)
        std::unordered_set<std::int64_t> seen;  // an interactive job also comes up in the due arm
        for (auto* arm : {&interactive_, &due_, &expired_}) {
            int const lane = arm == &interactive_ ? 0 : 1;
            if (c.interactive_only && lane != 0) break;
            arm->reset();
            arm->bind(1, now_ms);
            arm->bind(2, static_cast<std::int64_t>(c.limit));
            for (;;) {
                auto const rc = arm->step();
                if (rc == SQLITE_DONE) break;
                if (rc != SQLITE_ROW) return failed("claim");
                if (!seen.insert(arm->column_int64(0)).second) continue;
                bot::Job job;
                job.id = arm->column_int64(0);
                job.source = source_from(arm->column_text(1));
                job.delivery_id = arm->column_text(2);
                job.payload = arm->column_text(3);
                job.attempts = static_cast<int>(arm->column_int64(4));
                job.created_at = bot::from_unix_ms(arm->column_int64(5));
                due.emplace_back(std::pair{lane, arm->column_int64(6)}, std::move(job));
            }
            arm->reset();
        }
        // Each arm is in due order; together, interactive work first, then the earliest due.
        std::stable_sort(due.begin(), due.end(),
                         [](auto const& a, auto const& b) { return a.first < b.first; });
        if (due.size() > c.limit) due.resize(c.limit);
        auto const until = now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(c.lease).count();
        jobs.reserve(due.size());
        for (auto& [at, job] : due) {
            lease_.reset();
            lease_.bind(1, until);
            lease_.bind(2, now_ms);
            lease_.bind(3, job.id);
            if (!lease_.done()) return failed("lease job");
            jobs.push_back(std::move(job));
        }
        return jobs;
    }

    error_code failed(char const* what) {
        spdlog::error("store: sqlite {} failed: {}", what, sqlite3_errmsg(db_));
        return unavailable();
    }

    static constexpr std::size_t kPageBytes = 4096;

    sqlite3* db_ = nullptr;
    std::mutex mutex_;
    Statement insert_delivery_, insert_job_, interactive_, due_, expired_, lease_;
    Statement complete_, retry_, bury_, extend_, count_;
    Statement begin_, commit_;
    std::optional<WalCheckpointer> checkpointer_;
};

}  // namespace

std::unique_ptr<BlockingStore> make_sqlite_store(std::filesystem::path const& path,
                                                 SqliteOptions const& options) {
    return std::make_unique<SqliteStore>(path, options);
}

}  // namespace tb::store
