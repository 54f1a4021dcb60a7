#include "adapters/store/sqlite/sqlite_store.hpp"

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>

#include "adapters/store/sqlite/statement.hpp"

namespace tb::store {
namespace {

constexpr char const* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS deliveries (
    source       TEXT    NOT NULL,
    delivery_id  TEXT    NOT NULL,
    received_at  INTEGER NOT NULL,
    PRIMARY KEY (source, delivery_id)
);
CREATE TABLE IF NOT EXISTS jobs (
    id           INTEGER PRIMARY KEY,
    source       TEXT    NOT NULL,
    delivery_id  TEXT    NOT NULL,
    payload      BLOB    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'running', 'done', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    due_at       INTEGER NOT NULL,
    lease_until  INTEGER,
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (due_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS jobs_leased ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX IF NOT EXISTS jobs_dead ON jobs (id) WHERE state = 'dead';
)sql";

bot::Source source_from(std::string_view text) {
    if (text == "slack_command") return bot::Source::slack_command;
    if (text == "slack_interaction") return bot::Source::slack_interaction;
    if (text == "zendesk_webhook") return bot::Source::zendesk_webhook;
    return bot::Source::slack_event;
}

error_code unavailable() { return bot::errc::store_unavailable; }

class SqliteStore final : public BlockingStore {
public:
    explicit SqliteStore(std::filesystem::path const& path) : path_{path} {
        db_ = open(path);
        exec(db_, "PRAGMA journal_mode=WAL");
        exec(db_, "PRAGMA synchronous=FULL");
        // Checkpoints run on their own thread, not in the commit path.
        exec(db_, "PRAGMA wal_autocheckpoint=0");
        exec(db_, "PRAGMA busy_timeout=5000");
        exec(db_, kSchema);
        // One process owns a SQLite file, so a job still leased now was cut off by a crash.
        exec(db_, "UPDATE jobs SET state = 'pending', lease_until = NULL WHERE state = 'running'");
        insert_delivery_ = Statement{db_, "INSERT OR IGNORE INTO deliveries (source, delivery_id, received_at) VALUES (?, ?, ?)"};
        insert_job_ = Statement{db_, "INSERT INTO jobs (source, delivery_id, payload, state, due_at, created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)"};
        claim_ = Statement{db_, R"sql(
            UPDATE jobs SET state = 'running', lease_until = ?1, attempts = attempts + 1, updated_at = ?2
            WHERE id IN (
                SELECT id FROM (
                    SELECT id, due_at AS at FROM jobs WHERE state = 'pending' AND due_at <= ?2
                    UNION ALL
                    SELECT id, lease_until AS at FROM jobs WHERE state = 'running' AND lease_until <= ?2)
                ORDER BY at LIMIT ?3)
            RETURNING id, source, delivery_id, payload, attempts, created_at)sql"};
        complete_ = Statement{db_, "UPDATE jobs SET state = 'done', lease_until = NULL, payload = x'', updated_at = ? WHERE id = ?"};
        retry_ = Statement{db_, "UPDATE jobs SET state = 'pending', lease_until = NULL, due_at = ?, last_error = ?, updated_at = ? WHERE id = ?"};
        bury_ = Statement{db_, "UPDATE jobs SET state = 'dead', lease_until = NULL, last_error = ?, updated_at = ? WHERE id = ?"};
        count_ = Statement{db_, R"sql(SELECT
            (SELECT count(*) FROM deliveries),
            (SELECT count(*) FROM jobs WHERE state = 'pending'),
            (SELECT count(*) FROM jobs WHERE state = 'running'),
            (SELECT count(*) FROM jobs WHERE state = 'dead'))sql"};
        checkpointer_ = std::thread{[this] { checkpoint_loop(); }};
    }

    ~SqliteStore() override {
        {
            std::lock_guard lock{checkpoint_mutex_};
            stopping_ = true;
        }
        checkpoint_cv_.notify_all();
        checkpointer_.join();
        std::lock_guard lock{mutex_};
        insert_delivery_ = {};
        insert_job_ = {};
        claim_ = {};
        complete_ = {};
        retry_ = {};
        bury_ = {};
        count_ = {};
        sqlite3_close_v2(db_);
    }

    Result<std::vector<bool>> record(std::span<bot::Delivery const> deliveries) override {
        std::lock_guard lock{mutex_};
        std::vector<bool> fresh;
        fresh.reserve(deliveries.size());
        Transaction tx{db_};
        if (!tx.began()) return unavailable();
        for (auto const& d : deliveries) {
            auto const source = bot::to_string(d.source);
            auto const at = bot::to_unix_ms(d.received_at);
            insert_delivery_.reset();
            insert_delivery_.bind(1, source);
            insert_delivery_.bind(2, d.delivery_id);
            insert_delivery_.bind(3, at);
            if (!insert_delivery_.done()) return failed("record delivery");
            bool const is_new = sqlite3_changes(db_) == 1;
            if (is_new) {
                insert_job_.reset();
                insert_job_.bind(1, source);
                insert_job_.bind(2, d.delivery_id);
                insert_job_.bind_blob(3, d.payload);
                insert_job_.bind(4, at);
                insert_job_.bind(5, at);
                insert_job_.bind(6, at);
                if (!insert_job_.done()) return failed("queue job");
            }
            fresh.push_back(is_new);
        }
        if (!tx.commit()) return failed("commit");
        pending_pages_.fetch_add(deliveries.size());
        if (pending_pages_.load() > 2000) checkpoint_cv_.notify_one();
        return fresh;
    }

    Result<std::vector<bot::Job>> claim(std::size_t limit, bot::Instant now,
                                        std::chrono::seconds lease) override {
        std::lock_guard lock{mutex_};
        auto const now_ms = bot::to_unix_ms(now);
        claim_.reset();
        claim_.bind(1, now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(lease).count());
        claim_.bind(2, now_ms);
        claim_.bind(3, static_cast<std::int64_t>(limit));
        std::vector<bot::Job> jobs;
        for (;;) {
            auto const rc = claim_.step();
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) return failed("claim");
            bot::Job job;
            job.id = claim_.column_int64(0);
            job.source = source_from(claim_.column_text(1));
            job.delivery_id = claim_.column_text(2);
            job.payload = claim_.column_text(3);
            job.attempts = static_cast<int>(claim_.column_int64(4)) - 1;
            job.created_at = bot::from_unix_ms(claim_.column_int64(5));
            jobs.push_back(std::move(job));
        }
        return jobs;
    }

    Result<void> complete(bot::JobId id, bot::Instant now) override {
        std::lock_guard lock{mutex_};
        complete_.reset();
        complete_.bind(1, bot::to_unix_ms(now));
        complete_.bind(2, id);
        if (!complete_.done()) return failed("complete");
        return {};
    }

    Result<void> retry(bot::JobId id, bot::Instant due, std::string const& reason,
                       bot::Instant now) override {
        std::lock_guard lock{mutex_};
        retry_.reset();
        retry_.bind(1, bot::to_unix_ms(due));
        retry_.bind(2, reason);
        retry_.bind(3, bot::to_unix_ms(now));
        retry_.bind(4, id);
        if (!retry_.done()) return failed("retry");
        return {};
    }

    Result<void> bury(bot::JobId id, std::string const& reason, bot::Instant now) override {
        std::lock_guard lock{mutex_};
        bury_.reset();
        bury_.bind(1, reason);
        bury_.bind(2, bot::to_unix_ms(now));
        bury_.bind(3, id);
        if (!bury_.done()) return failed("bury");
        return {};
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
    error_code failed(char const* what) {
        spdlog::error("store: sqlite {} failed: {}", what, sqlite3_errmsg(db_));
        return unavailable();
    }

    void checkpoint_loop() {
        sqlite3* db = open(path_);
        exec(db, "PRAGMA busy_timeout=5000");
        std::unique_lock lock{checkpoint_mutex_};
        while (!stopping_) {
            checkpoint_cv_.wait_for(lock, std::chrono::milliseconds{500});
            if (pending_pages_.exchange(0) == 0) continue;
            lock.unlock();
            int log = 0, done = 0;
            sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
            lock.lock();
        }
        lock.unlock();
        sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
        sqlite3_close_v2(db);
    }

    std::filesystem::path path_;
    sqlite3* db_ = nullptr;
    std::mutex mutex_;
    Statement insert_delivery_, insert_job_, claim_, complete_, retry_, bury_, count_;
    std::atomic<std::size_t> pending_pages_{0};
    std::mutex checkpoint_mutex_;
    std::condition_variable checkpoint_cv_;
    bool stopping_ = false;
    std::thread checkpointer_;
};

}  // namespace

std::unique_ptr<BlockingStore> make_sqlite_store(std::filesystem::path const& path) {
    return std::make_unique<SqliteStore>(path);
}

}  // namespace tb::store
