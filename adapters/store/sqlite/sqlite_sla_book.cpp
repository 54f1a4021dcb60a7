#include "adapters/store/sqlite/sqlite_sla_book.hpp"

#include <sqlite3.h>

#include "adapters/store/sqlite/sqlite_worker.hpp"
#include "adapters/store/sqlite/statement.hpp"

namespace tb::store {
namespace {

namespace asio = boost::asio;

// Files written before the pending digest lack its column; the index comes after it.
constexpr char const* kPendingIndex =
    "CREATE INDEX IF NOT EXISTS sla_tickets_pending ON sla_tickets (pending_overdue) "
    "WHERE pending_overdue IS NOT NULL";

constexpr char const* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS sla_tickets (
    ticket_id        INTEGER PRIMARY KEY,
    created_at       INTEGER NOT NULL,
    tags             TEXT    NOT NULL,
    organization_id  INTEGER,
    next_due         INTEGER,
    group_name       TEXT    NOT NULL DEFAULT '',
    priority         TEXT    NOT NULL DEFAULT '',
    pending_overdue  INTEGER
);
CREATE INDEX IF NOT EXISTS sla_tickets_due ON sla_tickets (next_due) WHERE next_due IS NOT NULL;
CREATE INDEX IF NOT EXISTS sla_tickets_created ON sla_tickets (created_at);
CREATE TABLE IF NOT EXISTS sla_events (
    ticket_id  INTEGER NOT NULL,
    key        TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    kind       INTEGER NOT NULL,
    status     TEXT    NOT NULL,
    PRIMARY KEY (ticket_id, key)
);
)sql";

std::string joined(std::vector<std::string> const& tags) {
    std::string out;
    for (auto const& tag : tags) out += (out.empty() ? "" : " ") + tag;  // Zendesk tags have no spaces
    return out;
}

std::vector<std::string> split(std::string const& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto const end = std::min(text.find(' ', start), text.size());
        if (end > start) out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

class SqliteSlaBook final : public bot::SlaBook, SqliteWorker {
public:
    explicit SqliteSlaBook(std::filesystem::path const& path)
        : SqliteWorker{path, "sla book", [](sqlite3* db) {
              exec(db, kSchema);
              if (!has_column(db, "sla_tickets", "pending_overdue")) {
                  exec(db, "ALTER TABLE sla_tickets ADD COLUMN pending_overdue INTEGER");
              }
              exec(db, kPendingIndex);
          }} {}
    SqliteSlaBook(SqliteSlaBook const&) = delete;
    SqliteSlaBook& operator=(SqliteSlaBook const&) = delete;

    asio::awaitable<Result<void>> follow(bot::TicketId id, bot::Instant created, std::vector<std::string> tags,
                                         std::optional<std::int64_t> organization_id) override {
        auto work = [this, id, created, tags, organization_id]() -> Result<void> {
            Statement s{db_, "INSERT INTO sla_tickets (ticket_id, created_at, tags, organization_id) "
                             "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (ticket_id) DO NOTHING"};
            s.bind(1, id);
            s.bind(2, bot::to_unix_ms(created));
            s.bind(3, joined(tags));
            if (organization_id) s.bind(4, *organization_id);
            if (!s.done()) return failed("follow ticket");
            return {};
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<void>> describe(bot::TicketId id, std::optional<std::string> group,
                                           std::optional<std::string> priority) override {
        auto work = [this, id, group, priority]() -> Result<void> {
            Statement s{db_, "UPDATE sla_tickets SET group_name = coalesce(?2, group_name), "
                             "priority = coalesce(?3, priority) WHERE ticket_id = ?1"};
            s.bind(1, id);
            if (group) s.bind(2, *group);
            if (priority) s.bind(3, *priority);
            if (!s.done()) return failed("describe sla ticket");
            return {};
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<bool>> add(bot::TicketId id, std::string key, bot::SlaEvent event) override {
        auto work = [this, id, key, event]() -> Result<bool> {
            Statement s{db_, "INSERT INTO sla_events (ticket_id, key, at, kind, status) "
                             "SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM sla_tickets WHERE ticket_id = ?1) "
                             "ON CONFLICT (ticket_id, key) DO NOTHING"};
            s.bind(1, id);
            s.bind(2, key);
            s.bind(3, bot::to_unix_ms(event.at));
            s.bind(4, static_cast<std::int64_t>(event.kind));
            s.bind(5, event.status);
            if (!s.done()) return Result<bool>{boost::system::in_place_error, failed("add sla event")};
            return sqlite3_changes(db_) > 0;
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<std::optional<bot::SlaRecord>>> record(bot::TicketId id) override {
        auto work = [this, id] { return read_record(id); };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<void>> schedule(bot::TicketId id, std::optional<bot::Instant> next_due,
                                           std::optional<bot::Instant> pending_overdue) override {
        auto work = [this, id, next_due, pending_overdue]() -> Result<void> {
            Statement s{db_, "UPDATE sla_tickets SET next_due = ?2, pending_overdue = ?3 WHERE ticket_id = ?1"};
            s.bind(1, id);
            if (next_due) s.bind(2, bot::to_unix_ms(*next_due));
            if (pending_overdue) s.bind(3, bot::to_unix_ms(*pending_overdue));
            if (!s.done()) return failed("schedule sla");
            return {};
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<std::vector<bot::TicketId>>> due(bot::Instant now, std::size_t limit) override {
        auto work = [this, now, limit]() -> Result<std::vector<bot::TicketId>> {
            Statement s{db_, "SELECT ticket_id FROM sla_tickets WHERE next_due IS NOT NULL AND next_due <= ?1 "
                             "ORDER BY next_due LIMIT ?2"};
            s.bind(1, bot::to_unix_ms(now));
            s.bind(2, static_cast<std::int64_t>(limit));
            std::vector<bot::TicketId> out;
            int rc = SQLITE_ROW;
            while ((rc = s.step()) == SQLITE_ROW) out.push_back(s.column_int64(0));
            if (rc != SQLITE_DONE) return failed("read due sla");
            return out;
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<std::vector<bot::TicketId>>> pending_overdue(std::size_t limit) override {
        auto work = [this, limit]() -> Result<std::vector<bot::TicketId>> {
            Statement s{db_, "SELECT ticket_id FROM sla_tickets WHERE pending_overdue IS NOT NULL "
                             "ORDER BY pending_overdue LIMIT ?1"};
            s.bind(1, static_cast<std::int64_t>(limit));
            std::vector<bot::TicketId> out;
            int rc = SQLITE_ROW;
            while ((rc = s.step()) == SQLITE_ROW) out.push_back(s.column_int64(0));
            if (rc != SQLITE_DONE) return failed("read pending sla");
            return out;
        };
        co_return co_await blocking(std::move(work));
    }
    asio::awaitable<Result<std::vector<bot::SlaRecord>>> created_between(bot::Instant from, bot::Instant to) override {
        auto work = [this, from, to]() -> Result<std::vector<bot::SlaRecord>> {
            Statement s{db_, "SELECT ticket_id FROM sla_tickets WHERE created_at >= ?1 AND created_at < ?2 "
                             "ORDER BY created_at"};
            s.bind(1, bot::to_unix_ms(from));
            s.bind(2, bot::to_unix_ms(to));
            std::vector<bot::TicketId> ids;
            int rc = SQLITE_ROW;
            while ((rc = s.step()) == SQLITE_ROW) ids.push_back(s.column_int64(0));
            if (rc != SQLITE_DONE) return failed("read sla tickets");
            std::vector<bot::SlaRecord> out;
            for (auto const id : ids) {
                auto record = read_record(id);
                if (!record) return record.error();
                if (*record) out.push_back(std::move(**record));
            }
            return out;
        };
        co_return co_await blocking(std::move(work));
    }

private:
    Result<std::optional<bot::SlaRecord>> read_record(bot::TicketId id) {
        Statement t{db_, "SELECT created_at, tags, organization_id, next_due, group_name, priority FROM sla_tickets "
                         "WHERE ticket_id = ?1"};
        t.bind(1, id);
        auto const rc = t.step();
        if (rc == SQLITE_DONE) return std::optional<bot::SlaRecord>{};
        if (rc != SQLITE_ROW) return failed("read sla ticket");
        bot::SlaRecord r;
        r.ticket_id = id;
        r.history.created = bot::from_unix_ms(t.column_int64(0));
        r.history.tags = split(t.column_text(1));
        if (!t.column_text(2).empty()) r.history.organization_id = t.column_int64(2);
        if (!t.column_text(3).empty()) r.next_due = bot::from_unix_ms(t.column_int64(3));
        r.group = t.column_text(4);
        r.priority = t.column_text(5);
        Statement e{db_, "SELECT at, kind, status FROM sla_events WHERE ticket_id = ?1 ORDER BY at"};
        e.bind(1, id);
        int step = SQLITE_ROW;
        while ((step = e.step()) == SQLITE_ROW) {
            r.history.events.push_back({bot::from_unix_ms(e.column_int64(0)),
                                        static_cast<bot::SlaEvent::Kind>(e.column_int64(1)), e.column_text(2)});
        }
        if (step != SQLITE_DONE) return failed("read sla events");
        return std::optional{std::move(r)};
    }

};

}  // namespace

std::unique_ptr<bot::SlaBook> make_sqlite_sla_book(std::filesystem::path const& path) {
    return std::make_unique<SqliteSlaBook>(path);
}

}  // namespace tb::store
