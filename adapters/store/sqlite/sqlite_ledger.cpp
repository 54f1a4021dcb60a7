#include "adapters/store/sqlite/sqlite_ledger.hpp"

#include <sqlite3.h>

#include <mutex>

#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include "adapters/store/run_blocking.hpp"
#include "adapters/store/sqlite/statement.hpp"

namespace tb::store {
namespace {

namespace asio = boost::asio;

constexpr char const* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS threads (
    external_id        TEXT    PRIMARY KEY,
    team               TEXT    NOT NULL,
    channel            TEXT    NOT NULL,
    thread_ts          TEXT    NOT NULL,
    ticket_id          INTEGER NOT NULL,
    origin             TEXT    NOT NULL,
    card_ts            TEXT    NOT NULL DEFAULT '',
    reacted            INTEGER NOT NULL DEFAULT 0,
    duplicate_noticed  INTEGER NOT NULL DEFAULT 0,
    follows            INTEGER
);
CREATE INDEX IF NOT EXISTS threads_ticket ON threads (ticket_id);
CREATE TABLE IF NOT EXISTS copied_messages (
    channel    TEXT    NOT NULL,
    ts         TEXT    NOT NULL,
    ticket_id  INTEGER NOT NULL,
    text       TEXT    NOT NULL,
    PRIMARY KEY (channel, ts)
);
CREATE TABLE IF NOT EXISTS pending_replies (
    channel       TEXT    NOT NULL,
    ts            TEXT    NOT NULL,
    ticket_id     INTEGER NOT NULL,
    author_email  TEXT    NOT NULL,
    original      TEXT    NOT NULL,
    rendered      TEXT    NOT NULL,
    is_public     INTEGER NOT NULL,
    queued_at     INTEGER NOT NULL,
    PRIMARY KEY (channel, ts)
);
CREATE INDEX IF NOT EXISTS pending_by_ticket ON pending_replies (ticket_id, ts);
CREATE TABLE IF NOT EXISTS request_steps (
    delivery  TEXT    NOT NULL,
    step      TEXT    NOT NULL,
    done_at   INTEGER NOT NULL,
    PRIMARY KEY (delivery, step)
);
)sql";

constexpr char const* kThreadColumns =
    "team, channel, thread_ts, ticket_id, origin, card_ts, reacted, duplicate_noticed, follows";

error_code unavailable() { return bot::errc::store_unavailable; }

class SqliteLedger final : public bot::ThreadLedger {
public:
    explicit SqliteLedger(std::filesystem::path const& path) : db_{open(path)} {
        try {
            exec(db_, "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
            exec(db_, kSchema);
        } catch (...) {
            sqlite3_close_v2(db_);
            throw;
        }
    }
    ~SqliteLedger() override {
        pool_.join();
        sqlite3_close_v2(db_);
    }
    SqliteLedger(SqliteLedger const&) = delete;
    SqliteLedger& operator=(SqliteLedger const&) = delete;

    // bot::ThreadLedger
    asio::awaitable<Result<std::optional<bot::ThreadRecord>>> find(bot::ThreadKey key) override {
        auto work = [this, key] {
            return select_thread("WHERE external_id = ?1", [&](Statement& s) { s.bind(1, key.external_id()); });
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<std::optional<bot::ThreadRecord>>> find_by_ticket(bot::TicketId id) override {
        auto work = [this, id] {
            return select_thread("WHERE ticket_id = ?1 OR follows = ?1 ORDER BY ticket_id = ?1 DESC",
                                 [&](Statement& s) { s.bind(1, id); });
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<void>> save(bot::ThreadRecord record) override {
        auto work = [this, record]() -> Result<void> {
            Statement s{db_, "INSERT OR REPLACE INTO threads (external_id, team, channel, thread_ts, ticket_id, "
                             "origin, card_ts, reacted, duplicate_noticed, follows) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"};
            s.bind(1, record.key.external_id());
            s.bind(2, record.key.team);
            s.bind(3, record.key.channel);
            s.bind(4, record.key.thread_ts);
            s.bind(5, record.ticket_id);
            s.bind(6, record.origin);
            s.bind(7, record.card_ts);
            s.bind(8, std::int64_t{record.reacted});
            s.bind(9, std::int64_t{record.duplicate_noticed});
            if (record.follows) s.bind(10, *record.follows);
            if (!s.done()) return failed("save thread");
            return {};
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<std::optional<bot::CopiedMessage>>> copied(std::string channel, std::string ts) override {
        auto work = [this, channel, ts]() -> Result<std::optional<bot::CopiedMessage>> {
            Statement s{db_, "SELECT ticket_id, text FROM copied_messages WHERE channel = ?1 AND ts = ?2"};
            s.bind(1, channel);
            s.bind(2, ts);
            auto const rc = s.step();
            if (rc == SQLITE_DONE) return std::optional<bot::CopiedMessage>{};
            if (rc != SQLITE_ROW) return failed("read copied message");
            return std::optional{bot::CopiedMessage{channel, ts, s.column_int64(0), s.column_text(1)}};
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<void>> remember(std::vector<bot::CopiedMessage> messages) override {
        auto work = [this, messages]() -> Result<void> {
            Transaction tx{db_};
            if (!tx.began()) return failed("begin");
            Statement s{db_, "INSERT OR REPLACE INTO copied_messages (channel, ts, ticket_id, text) VALUES (?1,?2,?3,?4)"};
            for (auto const& m : messages) {
                s.reset();
                s.bind(1, m.channel);
                s.bind(2, m.ts);
                s.bind(3, m.ticket_id);
                s.bind(4, m.text);
                if (!s.done()) return failed("remember copied message");
            }
            if (!tx.commit()) return failed("commit");
            return {};
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<bool>> queue(bot::PendingReply reply) override {
        auto work = [this, reply]() -> Result<bool> {
            Statement s{db_, "INSERT INTO pending_replies (channel, ts, ticket_id, author_email, original, rendered, "
                             "is_public, queued_at) SELECT ?1,?2,?3,?4,?5,?6,?7,?8 WHERE NOT EXISTS "
                             "(SELECT 1 FROM copied_messages WHERE channel = ?1 AND ts = ?2) "
                             "ON CONFLICT (channel, ts) DO NOTHING"};
            s.bind(1, reply.channel);
            s.bind(2, reply.ts);
            s.bind(3, reply.ticket_id);
            s.bind(4, reply.author_email);
            s.bind(5, reply.original);
            s.bind(6, reply.rendered);
            s.bind(7, std::int64_t{reply.is_public});
            s.bind(8, bot::to_unix_ms(reply.queued_at));
            if (!s.done()) return Result<bool>{boost::system::in_place_error, failed("queue reply")};
            return sqlite3_changes(db_) > 0;
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<std::vector<bot::PendingReply>>> pending(bot::TicketId id) override {
        auto work = [this, id]() -> Result<std::vector<bot::PendingReply>> {
            Statement s{db_, "SELECT channel, ts, author_email, original, rendered, is_public, queued_at "
                             "FROM pending_replies WHERE ticket_id = ?1 ORDER BY ts"};
            s.bind(1, id);
            std::vector<bot::PendingReply> out;
            int rc = SQLITE_ROW;
            while ((rc = s.step()) == SQLITE_ROW) {
                bot::PendingReply r;
                r.channel = s.column_text(0);
                r.ts = s.column_text(1);
                r.ticket_id = id;
                r.author_email = s.column_text(2);
                r.original = s.column_text(3);
                r.rendered = s.column_text(4);
                r.is_public = s.column_int64(5) != 0;
                r.queued_at = bot::from_unix_ms(s.column_int64(6));
                out.push_back(std::move(r));
            }
            if (rc != SQLITE_DONE) return failed("read pending replies");
            return out;
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<bool>> step_done(std::string delivery, std::string step) override {
        auto work = [this, delivery, step]() -> Result<bool> {
            Statement s{db_, "SELECT 1 FROM request_steps WHERE delivery = ?1 AND step = ?2"};
            s.bind(1, delivery);
            s.bind(2, step);
            auto const rc = s.step();
            if (rc == SQLITE_ROW) return true;
            if (rc != SQLITE_DONE) return Result<bool>{boost::system::in_place_error, failed("read step")};
            return false;
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<void>> mark_step(std::string delivery, std::string step) override {
        auto work = [this, delivery, step]() -> Result<void> {
            // Marking twice keeps the first time: the step was done then.
            Statement s{db_, "INSERT INTO request_steps (delivery, step, done_at) "
                             "VALUES (?1, ?2, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) "
                             "ON CONFLICT (delivery, step) DO NOTHING"};
            s.bind(1, delivery);
            s.bind(2, step);
            if (!s.done()) return failed("mark step");
            return {};
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<void>> written(std::vector<bot::PendingReply> replies, bot::TicketId into) override {
        auto work = [this, replies, into]() -> Result<void> {
            Transaction tx{db_};
            if (!tx.began()) return failed("begin");
            Statement drop{db_, "DELETE FROM pending_replies WHERE channel = ?1 AND ts = ?2"};
            Statement keep{db_, "INSERT OR REPLACE INTO copied_messages (channel, ts, ticket_id, text) VALUES (?1,?2,?3,?4)"};
            for (auto const& r : replies) {
                drop.reset();
                drop.bind(1, r.channel);
                drop.bind(2, r.ts);
                keep.reset();
                keep.bind(1, r.channel);
                keep.bind(2, r.ts);
                keep.bind(3, into);
                keep.bind(4, r.original);
                if (!drop.done() || !keep.done()) return failed("move written reply");
            }
            if (!tx.commit()) return failed("commit");
            return {};
        };
        co_return co_await blocking(std::move(work));
    }

private:
    template <class Fn>
    auto blocking(Fn fn) -> asio::awaitable<std::invoke_result_t<Fn&>> {
        auto guarded = [this, fn = std::move(fn)]() mutable {
            std::lock_guard lock{mutex_};
            return fn();
        };
        co_return co_await run_blocking(pool_.get_executor(), std::move(guarded));
    }

    template <class Bind>
    Result<std::optional<bot::ThreadRecord>> select_thread(std::string const& where, Bind bind) {
        auto const sql = std::string{"SELECT "} + kThreadColumns + " FROM threads " + where + " LIMIT 1";
        Statement s{db_, sql.c_str()};
        bind(s);
        auto const rc = s.step();
        if (rc == SQLITE_DONE) return std::optional<bot::ThreadRecord>{};
        if (rc != SQLITE_ROW) return failed("read thread");
        bot::ThreadRecord r;
        r.key = {s.column_text(0), s.column_text(1), s.column_text(2)};
        r.ticket_id = s.column_int64(3);
        r.origin = s.column_text(4);
        r.card_ts = s.column_text(5);
        r.reacted = s.column_int64(6) != 0;
        r.duplicate_noticed = s.column_int64(7) != 0;
        if (!s.column_text(8).empty()) r.follows = s.column_int64(8);
        return std::optional{std::move(r)};
    }

    error_code failed(char const* what) {
        spdlog::error("ledger: {} failed: {}", what, sqlite3_errmsg(db_));
        return unavailable();
    }

    sqlite3* db_;
    std::mutex mutex_;
    asio::thread_pool pool_{1};
};

}  // namespace

std::unique_ptr<bot::ThreadLedger> make_sqlite_ledger(std::filesystem::path const& path) {
    return std::make_unique<SqliteLedger>(path);
}

}  // namespace tb::store
