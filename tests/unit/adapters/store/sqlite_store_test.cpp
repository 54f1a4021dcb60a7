#include "adapters/store/sqlite/sqlite_store.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/detached.hpp>

#include "adapters/store/async_store.hpp"
#include "tests/fakes/fake_clock.hpp"
#include "tests/support/process.hpp"

namespace {

using namespace std::chrono_literals;
using tb::bot::Delivery;
using tb::bot::Source;
namespace asio = boost::asio;

Delivery delivery(std::string id, tb::bot::Instant at, Source source = Source::slack_event) {
    return {source, std::move(id), R"({"k":"v"})", at};
}

struct TempDb {
    std::filesystem::path dir = tb::testing::temp_dir("tb-store");
    std::filesystem::path path = dir / "store.db";
    ~TempDb() { std::filesystem::remove_all(dir); }
};

// A coroutine's parameters live in its frame (a lambda's captures would not).
asio::awaitable<void> record_counting(tb::store::AsyncStore& store, Delivery d, int& fresh) {
    auto const r = co_await store.record(std::move(d));
    if (r && *r) ++fresh;
}

}  // namespace

TEST_CASE("sqlite store: a delivery is recorded once per source and id, with one job") {
    TempDb db;
    tb::fakes::FakeClock clock;
    auto store = tb::store::make_sqlite_store(db.path);
    std::vector<Delivery> batch{delivery("Ev1", clock.now()), delivery("Ev2", clock.now()),
                                delivery("Ev1", clock.now()), delivery("Ev1", clock.now(), Source::zendesk_webhook)};
    auto const fresh = store->record(batch);
    REQUIRE(fresh.has_value());
    CHECK(*fresh == std::vector<bool>{true, true, false, true});
    auto const again = store->record(std::vector<Delivery>{delivery("Ev2", clock.now())});
    CHECK(*again == std::vector<bool>{false});
    auto const stats = store->stats();
    CHECK(stats->deliveries == 3);
    CHECK(stats->jobs_pending == 3);
}

TEST_CASE("sqlite store: a delivery answered on arrival is recorded once, with no job") {
    TempDb db;
    tb::fakes::FakeClock clock;
    auto store = tb::store::make_sqlite_store(db.path);
    auto help = delivery("trigger:T1", clock.now(), Source::slack_command);
    help.answered = true;
    auto const fresh = store->record(std::vector<Delivery>{help, delivery("trigger:T2", clock.now(), Source::slack_command)});
    REQUIRE(fresh.has_value());
    CHECK(*fresh == std::vector<bool>{true, true});
    CHECK(*store->record(std::vector<Delivery>{help}) == std::vector<bool>{false});
    auto const stats = store->stats();
    CHECK(stats->deliveries == 2);
    CHECK(stats->jobs_pending == 1);
}

TEST_CASE("sqlite store: claims lease jobs, then an expired lease is claimable again") {
    TempDb db;
    tb::fakes::FakeClock clock;
    auto store = tb::store::make_sqlite_store(db.path);
    store->record(std::vector<Delivery>{delivery("Ev1", clock.now()), delivery("Ev2", clock.now())});
    auto const first = store->claim(10, clock.now(), 60s);
    REQUIRE(first->size() == 2);
    CHECK((*first)[0].payload == R"({"k":"v"})");
    CHECK((*first)[0].attempts == 0);
    CHECK(store->claim(10, clock.now() + 59s, 60s)->empty());
    CHECK(store->complete((*first)[0].id, clock.now()).has_value());
    auto const reclaimed = store->claim(10, clock.now() + 61s, 60s);
    REQUIRE(reclaimed->size() == 1);
    CHECK((*reclaimed)[0].id == (*first)[1].id);
    CHECK((*reclaimed)[0].attempts == 1);  // the crashed attempt counts
}

TEST_CASE("sqlite store: an extended lease keeps a running job from being claimed; a finished job stays finished") {
    TempDb db;
    tb::fakes::FakeClock clock;
    auto store = tb::store::make_sqlite_store(db.path);
    store->record(std::vector<Delivery>{delivery("Ev1", clock.now()), delivery("Ev2", clock.now())});
    auto const jobs = store->claim(10, clock.now(), 60s);
    REQUIRE(jobs->size() == 2);
    CHECK(store->extend((*jobs)[0].id, clock.now() + 120s, clock.now() + 50s).has_value());
    CHECK(store->complete((*jobs)[1].id, clock.now()).has_value());
    CHECK(store->extend((*jobs)[1].id, clock.now() + 120s, clock.now() + 50s).has_value());
    // Past the first lease: the extended job is still running, the finished one stays done.
    CHECK(store->claim(10, clock.now() + 61s, 60s)->empty());
    CHECK(store->stats()->jobs_running == 1);
    auto const later = store->claim(10, clock.now() + 121s, 60s);
    REQUIRE(later->size() == 1);
    CHECK((*later)[0].id == (*jobs)[0].id);
    // The finished job's row was not touched: no lease on a job that is not running.
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open_v2(db.path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* query = nullptr;
    REQUIRE(sqlite3_prepare_v2(raw, "SELECT lease_until IS NULL FROM jobs WHERE id = ?", -1, &query, nullptr) ==
            SQLITE_OK);
    sqlite3_bind_int64(query, 1, (*jobs)[1].id);
    REQUIRE(sqlite3_step(query) == SQLITE_ROW);
    CHECK(sqlite3_column_int(query, 0) == 1);
    sqlite3_finalize(query);
    sqlite3_close(raw);
}

TEST_CASE("sqlite store: retry makes a job due later, then bury keeps it dead with the reason") {
    TempDb db;
    tb::fakes::FakeClock clock;
    auto store = tb::store::make_sqlite_store(db.path);
    store->record(std::vector<Delivery>{delivery("Ev1", clock.now()), delivery("Ev2", clock.now())});
    auto const jobs = store->claim(10, clock.now(), 60s);
    CHECK(store->retry((*jobs)[0].id, clock.now() + 30s, "429", clock.now()).has_value());
    CHECK(store->bury((*jobs)[1].id, "422 invalid", clock.now()).has_value());
    CHECK(store->claim(10, clock.now() + 29s, 60s)->empty());
    CHECK(store->claim(10, clock.now() + 30s, 60s)->size() == 1);
    CHECK(store->stats()->jobs_dead == 1);
}

TEST_CASE("sqlite store: jobs and deliveries survive reopening, then crashed leases are released") {
    TempDb db;
    tb::fakes::FakeClock clock;
    {
        auto store = tb::store::make_sqlite_store(db.path);
        store->record(std::vector<Delivery>{delivery("Ev1", clock.now())});
        CHECK(store->claim(10, clock.now(), 600s)->size() == 1);  // then the process "dies"
    }
    auto store = tb::store::make_sqlite_store(db.path);
    CHECK(*store->record(std::vector<Delivery>{delivery("Ev1", clock.now())}) == std::vector<bool>{false});
    CHECK(store->claim(10, clock.now(), 60s)->size() == 1);
}

TEST_CASE("sqlite store: concurrent records are group-committed, each answered after its commit") {
    TempDb db;
    tb::fakes::FakeClock clock;
    tb::store::AsyncStore store{tb::store::make_sqlite_store(db.path), clock};
    asio::io_context io;
    constexpr int kCount = 2000;
    int fresh = 0;
    for (int i = 0; i < kCount; ++i) {
        auto d = delivery("Ev" + std::to_string(i % (kCount / 2)), clock.now());
        asio::co_spawn(io, record_counting(store, std::move(d), fresh), asio::detached);
    }
    io.run();
    CHECK(fresh == kCount / 2);
    CHECK(store.commits() < kCount / 4);  // many deliveries share one commit
    CHECK(store.commits() >= 1);
}

namespace {

std::vector<Delivery> burst(int first, int count, tb::bot::Instant at) {
    std::vector<Delivery> out;
    for (int i = first; i < first + count; ++i) {
        // Scattered ids, as Slack's are: each lands on its own index page.
        out.push_back(delivery("Ev" + std::to_string((i * 7919) % 100'003) + "-" + std::to_string(i), at));
    }
    return out;
}

std::uintmax_t wal_bytes(std::filesystem::path const& db) {
    std::error_code ec;
    auto const n = std::filesystem::file_size(db.string() + "-wal", ec);
    return ec ? 0 : n;
}

// Another connection to the same file, as the ledger opens one.
struct RawConnection {
    sqlite3* db = nullptr;
    explicit RawConnection(std::filesystem::path const& path) {
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
    }
    ~RawConnection() { sqlite3_close_v2(db); }
    int exec(char const* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }
    // The CREATE statements of the schema objects that belong to `table`, joined.
    std::string schema_of(char const* table) {
        sqlite3_stmt* q = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, "SELECT group_concat(sql, ';') FROM sqlite_schema WHERE tbl_name = ?", -1, &q,
                                   nullptr) == SQLITE_OK);
        sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
        REQUIRE(sqlite3_step(q) == SQLITE_ROW);
        auto const* text = sqlite3_column_text(q, 0);
        std::string sql = text ? reinterpret_cast<char const*>(text) : "";
        sqlite3_finalize(q);
        return sql;
    }
};

}  // namespace

TEST_CASE("sqlite store: claims take the earliest due jobs first, expired leases among them") {
    TempDb db;
    tb::fakes::FakeClock clock;
    auto store = tb::store::make_sqlite_store(db.path);
    auto const t0 = clock.now();
    store->record(std::vector<Delivery>{delivery("A", t0), delivery("B", t0 + 1s), delivery("C", t0 + 2s),
                                        delivery("D", t0 + 3s)});
    auto const a = store->claim(1, t0 + 10s, 5s);  // A, leased until t0 + 15 s
    REQUIRE(a->size() == 1);
    CHECK((*a)[0].delivery_id == "A");
    CHECK(store->retry((*store->claim(1, t0 + 10s, 60s))[0].id, t0 + 12s, "later", t0 + 10s).has_value());  // B
    // At t0 + 20 s: C (due t0+2), D (t0+3), B (t0+12), A (lease ran out at t0+15).
    auto const next = store->claim(3, t0 + 20s, 60s);
    REQUIRE(next->size() == 3);
    std::vector<std::string> ids;
    for (auto const& j : *next) ids.push_back(j.delivery_id);
    std::sort(ids.begin(), ids.end());
    CHECK(ids == std::vector<std::string>{"B", "C", "D"});
    auto const last = store->claim(3, t0 + 20s, 60s);
    REQUIRE(last->size() == 1);
    CHECK((*last)[0].delivery_id == "A");
    CHECK((*last)[0].attempts == 1);
}

TEST_CASE("sqlite store: commands and button presses are claimed ahead of an older backlog") {
    TempDb db;
    tb::fakes::FakeClock clock;
    auto store = tb::store::make_sqlite_store(db.path);
    auto const t0 = clock.now();
    store->record(burst(0, 500, t0));
    store->record(std::vector<Delivery>{delivery("press", t0 + 1s, Source::slack_interaction),
                                        delivery("cmd", t0 + 2s, Source::slack_command)});
    auto const first = store->claim(3, t0 + 10s, 60s);
    REQUIRE(first->size() == 3);
    CHECK((*first)[0].delivery_id == "press");
    CHECK((*first)[1].delivery_id == "cmd");
    CHECK((*first)[2].source == Source::slack_event);
    auto const rest = store->claim(1000, t0 + 10s, 60s);
    CHECK(rest->size() == 499);  // each job once
    CHECK(std::none_of(rest->begin(), rest->end(), [](auto const& j) { return j.source != Source::slack_event; }));
}

TEST_CASE("sqlite store: a claim does not sort the backlog (it walks the due index)") {
    TempDb db;
    tb::fakes::FakeClock clock;
    auto store = tb::store::make_sqlite_store(db.path);
    store->record(burst(0, 20'000, clock.now()));
    RawConnection raw{db.path};
    // The claim's arms as the store writes them; each must read the index in order.
    sqlite3_stmt* plan = nullptr;
    REQUIRE(sqlite3_prepare_v2(raw.db, R"sql(EXPLAIN QUERY PLAN
        SELECT id, due_at AS at FROM jobs WHERE state = 'pending' AND due_at <= ?1 ORDER BY due_at LIMIT ?2)sql",
                               -1, &plan, nullptr) == SQLITE_OK);
    std::string detail;
    while (sqlite3_step(plan) == SQLITE_ROW) {
        detail += reinterpret_cast<char const*>(sqlite3_column_text(plan, 3));
        detail += "\n";
    }
    sqlite3_finalize(plan);
    CHECK(detail.find("jobs_due") != std::string::npos);
    CHECK(detail.find("TEMP B-TREE") == std::string::npos);
    REQUIRE(sqlite3_prepare_v2(raw.db, R"sql(EXPLAIN QUERY PLAN
        SELECT id FROM jobs WHERE state = 'pending' AND (source = 'slack_command' OR source = 'slack_interaction')
          AND due_at <= ?1 ORDER BY due_at LIMIT ?2)sql",
                               -1, &plan, nullptr) == SQLITE_OK);
    std::string interactive;
    while (sqlite3_step(plan) == SQLITE_ROW) interactive += reinterpret_cast<char const*>(sqlite3_column_text(plan, 3));
    sqlite3_finalize(plan);
    CHECK_MESSAGE(interactive.find("jobs_due_interactive") != std::string::npos, interactive);
    CHECK(interactive.find("TEMP B-TREE") == std::string::npos);
    auto const start = std::chrono::steady_clock::now();
    for (int i = 0; i < 50; ++i) REQUIRE(store->claim(32, clock.now(), 60s)->size() == 32);
    auto const took = std::chrono::steady_clock::now() - start;
    MESSAGE("50 claims of 32 from a backlog of 20000: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
}

TEST_CASE("sqlite store: the WAL stays bounded under a long run of commits") {
    TempDb db;
    tb::fakes::FakeClock clock;
    tb::store::SqliteOptions options;
    options.wal.limit_frames = 300;
    options.wal.background_frames = 100;
    options.wal.idle_pass = 20ms;
    auto store = tb::store::make_sqlite_store(db.path, options);
    std::uintmax_t peak = 0;
    for (int batch = 0; batch < 200; ++batch) {
        REQUIRE(store->record(burst(batch * 50, 50, clock.now())).has_value());
        peak = std::max(peak, wal_bytes(db.path));
    }
    auto const db_bytes = std::filesystem::file_size(db.path);
    MESSAGE("database " << db_bytes << " bytes, WAL peak " << peak << " bytes");
    // Without checkpoints the WAL holds every page ever written (several MB here).
    CHECK(peak < 3 * 300 * 4120);
    CHECK(db_bytes > 200'000);  // the pages did reach the database file
    CHECK(store->stats()->deliveries == 10'000);
}

TEST_CASE("sqlite store: another connection writing and reading the same file only delays it") {
    TempDb db;
    tb::fakes::FakeClock clock;
    tb::store::SqliteOptions options;
    options.wal.limit_frames = 200;
    options.wal.background_frames = 50;
    options.wal.idle_pass = 10ms;
    auto store = tb::store::make_sqlite_store(db.path, options);
    RawConnection ledger{db.path};
    REQUIRE(ledger.exec("CREATE TABLE IF NOT EXISTS links (thread TEXT PRIMARY KEY, ticket INTEGER)") == SQLITE_OK);

    // The other connection holds the write lock for a while: our write waits, then succeeds.
    REQUIRE(ledger.exec("BEGIN IMMEDIATE") == SQLITE_OK);
    REQUIRE(ledger.exec("INSERT INTO links VALUES ('C1/1.0', 101)") == SQLITE_OK);
    std::thread release{[&ledger] {
        std::this_thread::sleep_for(200ms);
        ledger.exec("COMMIT");
    }};
    auto const waited = store->record(burst(0, 10, clock.now()));
    release.join();
    REQUIRE(waited.has_value());
    CHECK(waited->size() == 10);

    // It holds a read snapshot open: the WAL cannot start over, but writes never fail.
    REQUIRE(ledger.exec("BEGIN") == SQLITE_OK);
    REQUIRE(ledger.exec("SELECT count(*) FROM links") == SQLITE_OK);
    for (int batch = 1; batch < 60; ++batch) REQUIRE(store->record(burst(batch * 50, 50, clock.now())).has_value());
    auto const held = wal_bytes(db.path);
    REQUIRE(ledger.exec("COMMIT") == SQLITE_OK);
    // Released, the WAL is folded in and starts over; the file is cut back to its limit.
    for (int batch = 60; batch < 120; ++batch) REQUIRE(store->record(burst(batch * 50, 50, clock.now())).has_value());
    auto const after = wal_bytes(db.path);
    MESSAGE("WAL with a reader holding a snapshot " << held << " bytes, after " << after << " bytes");
    CHECK(after < 3 * 200 * 4120);
    CHECK(ledger.exec("INSERT INTO links VALUES ('C1/2.0', 102)") == SQLITE_OK);
    CHECK(store->stats()->deliveries == 120 * 50 - 40);
}

TEST_CASE("sqlite store: a file from before the CHECK change is carried over, jobs and all") {
    TempDb db;
    tb::fakes::FakeClock clock;
    {
        RawConnection old{db.path};
        REQUIRE(old.exec(R"sql(
            CREATE TABLE deliveries (source TEXT NOT NULL, delivery_id TEXT NOT NULL,
                                     received_at INTEGER NOT NULL, PRIMARY KEY (source, delivery_id));
            CREATE TABLE jobs (id INTEGER PRIMARY KEY, source TEXT NOT NULL, delivery_id TEXT NOT NULL,
                payload BLOB NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'dead')),
                attempts INTEGER NOT NULL DEFAULT 0, due_at INTEGER NOT NULL, lease_until INTEGER,
                last_error TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
            CREATE INDEX jobs_due ON jobs (due_at) WHERE state = 'pending';
            CREATE INDEX jobs_leased ON jobs (lease_until) WHERE state = 'running';
            CREATE INDEX jobs_dead ON jobs (id) WHERE state = 'dead';
            INSERT INTO deliveries VALUES ('slack_event', 'EvOld', 1700000000000);
            INSERT INTO jobs (id, source, delivery_id, payload, state, attempts, due_at, created_at, updated_at)
                VALUES (41, 'slack_event', 'EvOld', 'old body', 'pending', 2, 1700000000000, 1700000000000, 1700000000000);
            INSERT INTO jobs (id, source, delivery_id, payload, state, attempts, due_at, last_error, created_at, updated_at)
                VALUES (42, 'slack_event', 'EvDead', '', 'dead', 5, 1700000000000, 'gone', 1700000000000, 1700000000000);
        )sql") == SQLITE_OK);
    }
    auto store = tb::store::make_sqlite_store(db.path);
    CHECK(*store->record(std::vector<Delivery>{delivery("EvOld", clock.now())}) == std::vector<bool>{false});
    auto const jobs = store->claim(10, clock.now(), 60s);
    REQUIRE(jobs->size() == 1);
    CHECK((*jobs)[0].id == 41);
    CHECK((*jobs)[0].payload == "old body");
    CHECK((*jobs)[0].attempts == 2);
    CHECK(store->stats()->jobs_dead == 1);
    store->record(std::vector<Delivery>{delivery("EvNew", clock.now())});
    CHECK(store->claim(10, clock.now(), 60s)->at(0).id == 43);  // ids go on from the old rows

    RawConnection raw{db.path};
    auto const sql = raw.schema_of("jobs");
    CHECK(sql.find("state IN (") == std::string::npos);
    CHECK(sql.find("jobs_due") != std::string::npos);
    CHECK(sql.find("jobs_leased") != std::string::npos);
    CHECK(sql.find("jobs_dead") != std::string::npos);
    CHECK(raw.schema_of("deliveries").find(") WITHOUT ROWID") != std::string::npos);
    // The CHECK still holds.
    CHECK(raw.exec("UPDATE jobs SET state = 'lost' WHERE id = 41") == SQLITE_CONSTRAINT);
}

TEST_CASE("sqlite store: deliveries from a file keyed with a rowid are carried over to one keyed without") {
    TempDb db;
    tb::fakes::FakeClock clock;
    {
        auto store = tb::store::make_sqlite_store(db.path);  // today's jobs table
        REQUIRE(store->record(std::vector<Delivery>{delivery("EvKept", clock.now())}).has_value());
    }
    {
        RawConnection old{db.path};  // deliveries as they were written before
        REQUIRE(old.exec(R"sql(
            DROP TABLE deliveries;
            CREATE TABLE deliveries (source TEXT NOT NULL, delivery_id TEXT NOT NULL,
                                     received_at INTEGER NOT NULL, PRIMARY KEY (source, delivery_id));
            INSERT INTO deliveries VALUES ('slack_event', 'EvKept', 1700000000000);
            INSERT INTO deliveries VALUES ('slack_command', 'T1/trigger', 1700000000001);
        )sql") == SQLITE_OK);
    }
    auto store = tb::store::make_sqlite_store(db.path);
    CHECK(*store->record(std::vector<Delivery>{delivery("EvKept", clock.now()),
                                               delivery("T1/trigger", clock.now(), Source::slack_command),
                                               delivery("EvNew", clock.now())}) ==
          std::vector<bool>{false, false, true});
    CHECK(store->stats()->deliveries == 3);
    CHECK(store->claim(10, clock.now(), 60s)->size() == 2);  // EvKept's job, and EvNew's

    RawConnection raw{db.path};
    CHECK(raw.schema_of("deliveries").find(") WITHOUT ROWID") != std::string::npos);
    CHECK(raw.schema_of("deliveries_with_rowid").empty());  // the copy's source is gone
}
