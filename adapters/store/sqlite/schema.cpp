#include "adapters/store/sqlite/schema.hpp"

#include <optional>
#include <string>

#include "adapters/store/sqlite/statement.hpp"

namespace tb::store {
namespace {

// The state CHECK is written as comparisons, not `state IN (...)`: SQLite evaluates a
// constant IN list of more than two values through a temporary b-tree it builds for every
// row written, which made each job insert and update cost several times its own work.
constexpr char const* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS deliveries (
    source       TEXT    NOT NULL,
    delivery_id  TEXT    NOT NULL,
    received_at  INTEGER NOT NULL,
    PRIMARY KEY (source, delivery_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS jobs (
    id           INTEGER PRIMARY KEY,
    source       TEXT    NOT NULL,
    delivery_id  TEXT    NOT NULL,
    payload      BLOB    NOT NULL,
    state        TEXT    NOT NULL CHECK (state = 'pending' OR state = 'running' OR state = 'done' OR state = 'dead'),
    attempts     INTEGER NOT NULL DEFAULT 0,
    due_at       INTEGER NOT NULL,
    lease_until  INTEGER,
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (due_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS jobs_due_interactive ON jobs (due_at)
    WHERE state = 'pending' AND (source = 'slack_command' OR source = 'slack_interaction');
CREATE INDEX IF NOT EXISTS jobs_leased ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX IF NOT EXISTS jobs_dead ON jobs (id) WHERE state = 'dead';
)sql";

// Files from before: the same columns, with the IN-list CHECK. SQLite cannot change a CHECK
// in place, so the table is copied into the current definition.
constexpr char const* kOldCheck = "CHECK (state IN (";

// The CREATE statement of `table`, or nothing when the file has no such table.
std::optional<std::string> table_sql(sqlite3* db, char const* table) {
    Statement query{db, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?"};
    query.bind(1, table);
    if (query.step() != SQLITE_ROW) return std::nullopt;
    return std::string{query.column_text(0)};
}

bool has_old_jobs_table(sqlite3* db) {
    auto const sql = table_sql(db, "jobs");
    return sql && sql->find(kOldCheck) != std::string::npos;
}

// Files from before: deliveries in a rowid table beside its key's index, two B-trees where
// one does. Random delivery ids make every commit write pages of both; without the rowid a
// commit writes fewer pages and its fdatasync returns sooner.
bool has_rowid_deliveries(sqlite3* db) {
    auto const sql = table_sql(db, "deliveries");
    return sql && sql->find("WITHOUT ROWID") == std::string::npos;
}

}  // namespace

void ensure_schema(sqlite3* db) {
    exec(db, "BEGIN IMMEDIATE");
    try {
        bool const old_jobs = has_old_jobs_table(db);
        bool const rowid_deliveries = has_rowid_deliveries(db);
        if (old_jobs) {
            exec(db, R"sql(
                DROP INDEX IF EXISTS jobs_due;
                DROP INDEX IF EXISTS jobs_due_interactive;
                DROP INDEX IF EXISTS jobs_leased;
                DROP INDEX IF EXISTS jobs_dead;
                ALTER TABLE jobs RENAME TO jobs_before_check_change;)sql");
        }
        if (rowid_deliveries) exec(db, "ALTER TABLE deliveries RENAME TO deliveries_with_rowid");
        exec(db, kSchema);
        if (old_jobs) {
            exec(db, R"sql(
                INSERT INTO jobs (id, source, delivery_id, payload, state, attempts, due_at, lease_until,
                                  last_error, created_at, updated_at)
                SELECT id, source, delivery_id, payload, state, attempts, due_at, lease_until,
                       last_error, created_at, updated_at
                FROM jobs_before_check_change;
                DROP TABLE jobs_before_check_change;)sql");
        }
        if (rowid_deliveries) {
            exec(db, R"sql(
                INSERT INTO deliveries (source, delivery_id, received_at)
                SELECT source, delivery_id, received_at FROM deliveries_with_rowid;
                DROP TABLE deliveries_with_rowid;)sql");
        }
        exec(db, "COMMIT");
    } catch (...) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

}  // namespace tb::store
