#include "adapters/store/sqlite/ledger_schema.hpp"

#include <string>

#include "adapters/store/sqlite/statement.hpp"

namespace tb::store {
namespace {

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
    follows            INTEGER,
    closed             INTEGER NOT NULL DEFAULT 0
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
CREATE TABLE IF NOT EXISTS shown_tickets (
    ticket_id    INTEGER PRIMARY KEY,
    status       TEXT    NOT NULL,
    priority     TEXT    NOT NULL,
    group_id     INTEGER,
    assignee_id  INTEGER,
    subject      TEXT    NOT NULL,
    updated_at   INTEGER NOT NULL,
    told_until   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS feed_cursors (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
)sql";

}  // namespace

void ensure_ledger_schema(sqlite3* db) {
    exec(db, "BEGIN IMMEDIATE");
    try {
        exec(db, kSchema);
        if (!has_column(db, "threads", "closed")) {
            exec(db, "ALTER TABLE threads ADD COLUMN closed INTEGER NOT NULL DEFAULT 0");
        }
        exec(db, "COMMIT");
    } catch (...) {
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

}  // namespace tb::store
