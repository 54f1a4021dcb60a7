#include "adapters/store/sqlite/sqlite_ledger.hpp"

#include <sqlite3.h>

#include "adapters/store/sqlite/ledger_schema.hpp"
#include "adapters/store/sqlite/sqlite_worker.hpp"
#include "adapters/store/sqlite/statement.hpp"

namespace tb::store {
namespace {

namespace asio = boost::asio;

constexpr char const* kThreadColumns =
    "team, channel, thread_ts, ticket_id, origin, card_ts, reacted, duplicate_noticed, follows, closed";

class SqliteLedger final : public bot::ThreadLedger, SqliteWorker {
public:
    explicit SqliteLedger(std::filesystem::path const& path) : SqliteWorker{path, "ledger", ensure_ledger_schema} {}
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
            return select_thread("WHERE (ticket_id = ?1 OR follows = ?1) AND closed = 0 ORDER BY ticket_id = ?1 DESC, rowid DESC",
                                 [&](Statement& s) { s.bind(1, id); });
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<void>> save(bot::ThreadRecord record) override {
        auto work = [this, record]() -> Result<void> {
            Statement s{db_, "INSERT OR REPLACE INTO threads (external_id, team, channel, thread_ts, ticket_id, "
                             "origin, card_ts, reacted, duplicate_noticed, follows, closed) "
                             "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"};
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
            s.bind(11, std::int64_t{record.closed});
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

    asio::awaitable<Result<std::optional<bot::ShownTicket>>> shown(bot::TicketId id) override {
        auto work = [this, id]() -> Result<std::optional<bot::ShownTicket>> {
            Statement s{db_, "SELECT status, priority, group_id, assignee_id, subject, updated_at, told_until "
                             "FROM shown_tickets WHERE ticket_id = ?1"};
            s.bind(1, id);
            auto const rc = s.step();
            if (rc == SQLITE_DONE) return std::optional<bot::ShownTicket>{};
            if (rc != SQLITE_ROW) return failed("read shown ticket");
            bot::ShownTicket t;
            t.ticket_id = id;
            t.status = s.column_text(0);
            t.priority = s.column_text(1);
            if (!s.column_text(2).empty()) t.group_id = s.column_int64(2);
            if (!s.column_text(3).empty()) t.assignee_id = s.column_int64(3);
            t.subject = s.column_text(4);
            t.updated_at = bot::from_unix_ms(s.column_int64(5));
            t.told_until = bot::from_unix_ms(s.column_int64(6));
            return std::optional{std::move(t)};
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<void>> show(bot::ShownTicket t) override {
        auto work = [this, t]() -> Result<void> {
            // Two statements in one commit: the fields when newer, told_until when later.
            Transaction tx{db_};
            if (!tx.began()) return failed("begin");
            Statement s{db_, "INSERT INTO shown_tickets (ticket_id, status, priority, group_id, assignee_id, "
                             "subject, updated_at, told_until) VALUES (?1,?2,?3,?4,?5,?6,?7,?8) "
                             "ON CONFLICT (ticket_id) DO UPDATE SET status = ?2, priority = ?3, group_id = ?4, "
                             "assignee_id = ?5, subject = ?6, updated_at = ?7 "
                             "WHERE excluded.updated_at >= shown_tickets.updated_at"};
            s.bind(1, t.ticket_id);
            s.bind(2, t.status);
            s.bind(3, t.priority);
            if (t.group_id) s.bind(4, *t.group_id);
            if (t.assignee_id) s.bind(5, *t.assignee_id);
            s.bind(6, t.subject);
            s.bind(7, bot::to_unix_ms(t.updated_at));
            s.bind(8, bot::to_unix_ms(t.told_until));
            if (!s.done()) return failed("save shown ticket");
            Statement told{db_, "UPDATE shown_tickets SET told_until = ?2 WHERE ticket_id = ?1 AND told_until < ?2"};
            told.bind(1, t.ticket_id);
            told.bind(2, bot::to_unix_ms(t.told_until));
            if (!told.done()) return failed("save told_until");
            if (!tx.commit()) return failed("commit");
            return {};
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<std::optional<std::string>>> cursor(std::string name) override {
        auto work = [this, name]() -> Result<std::optional<std::string>> {
            Statement s{db_, "SELECT value FROM feed_cursors WHERE name = ?1"};
            s.bind(1, name);
            auto const rc = s.step();
            if (rc == SQLITE_DONE) return std::optional<std::string>{};
            if (rc != SQLITE_ROW) return failed("read cursor");
            return std::optional{s.column_text(0)};
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<void>> save_cursor(std::string name, std::string value) override {
        auto work = [this, name, value]() -> Result<void> {
            Statement s{db_, "INSERT OR REPLACE INTO feed_cursors (name, value) VALUES (?1, ?2)"};
            s.bind(1, name);
            s.bind(2, value);
            if (!s.done()) return failed("save cursor");
            return {};
        };
        co_return co_await blocking(std::move(work));
    }

private:
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
        r.closed = s.column_int64(9) != 0;
        return std::optional{std::move(r)};
    }

};

}  // namespace

std::unique_ptr<bot::ThreadLedger> make_sqlite_ledger(std::filesystem::path const& path) {
    return std::make_unique<SqliteLedger>(path);
}

std::int64_t highest_ticket_in(std::filesystem::path const& path) {
    std::error_code ignored;
    if (!std::filesystem::exists(path, ignored)) return 0;
    auto* const db = open(path);
    std::int64_t highest = 0;
    sqlite3_stmt* stmt = nullptr;
    if (has_column(db, "threads", "ticket_id") &&
        sqlite3_prepare_v2(db, "SELECT coalesce(max(ticket_id), 0) FROM threads", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
        highest = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    sqlite3_close_v2(db);
    return highest;
}

}  // namespace tb::store
