#include "adapters/store/sqlite/sqlite_ledger.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "tests/support/process.hpp"
#include "tests/support/sqlite_script.hpp"

namespace {

namespace asio = boost::asio;
using tb::bot::ThreadKey;
using tb::bot::ThreadRecord;

struct TempLedger {
    std::filesystem::path dir = tb::testing::temp_dir("tb-ledger");
    std::filesystem::path path = dir / "ledger.db";
    ~TempLedger() { std::filesystem::remove_all(dir); }
};

// Runs one ledger call to its end on a local io_context.
template <class T>
T run(asio::awaitable<T> call) {
    asio::io_context io;
    auto future = asio::co_spawn(io, std::move(call), asio::use_future);
    io.run();
    return future.get();
}

tb::bot::PendingReply reply(std::string ts, tb::bot::TicketId ticket) {
    tb::bot::PendingReply r;
    r.channel = "C1";
    r.ts = std::move(ts);
    r.ticket_id = ticket;
    r.author_email = "a@example.com";
    r.original = "text " + r.ts;
    r.rendered = "A wrote: text " + r.ts;
    r.queued_at = tb::bot::from_unix_ms(1'700'000'000'000);
    return r;
}

}  // namespace

TEST_CASE("sqlite ledger: a thread's record survives reopening, found by key and by ticket") {
    TempLedger tmp;
    ThreadKey const key{"T1", "C1", "1700000000.000100"};
    {
        auto ledger = tb::store::make_sqlite_ledger(tmp.path);
        CHECK_FALSE(run(ledger->find(key)).value());
        ThreadRecord record;
        record.key = key;
        record.ticket_id = 42;
        record.origin = "Ev1";
        record.card_ts = "1700000001.000100";
        record.reacted = true;
        REQUIRE(run(ledger->save(record)));
        record.follows = 41;
        record.ticket_id = 43;
        REQUIRE(run(ledger->save(record)));  // replaces
    }
    auto ledger = tb::store::make_sqlite_ledger(tmp.path);
    auto const found = run(ledger->find(key)).value();
    REQUIRE(found);
    CHECK(found->ticket_id == 43);
    CHECK(found->follows == 41);
    CHECK(found->origin == "Ev1");
    CHECK(found->card_ts == "1700000001.000100");
    CHECK(found->reacted);
    CHECK_FALSE(found->duplicate_noticed);
    CHECK(run(ledger->find_by_ticket(43)).value()->key == key);
    CHECK(run(ledger->find_by_ticket(41)).value()->ticket_id == 43);  // the closed one leads to its follow-up
    CHECK_FALSE(run(ledger->find_by_ticket(7)).value());
}

TEST_CASE("sqlite ledger: replies queue once, come back in order and move to copied when written") {
    TempLedger tmp;
    auto ledger = tb::store::make_sqlite_ledger(tmp.path);
    CHECK(run(ledger->queue(reply("1700000002.000100", 42))).value());
    CHECK(run(ledger->queue(reply("1700000001.000100", 42))).value());
    CHECK_FALSE(run(ledger->queue(reply("1700000001.000100", 42))).value());
    CHECK(run(ledger->queue(reply("1700000003.000100", 7))).value());
    auto const pending = run(ledger->pending(42)).value();
    REQUIRE(pending.size() == 2);
    CHECK(pending[0].ts == "1700000001.000100");
    CHECK(pending[1].rendered == "A wrote: text 1700000002.000100");
    REQUIRE(run(ledger->written(pending, 50)));
    CHECK(run(ledger->pending(42)).value().empty());
    auto const copied = run(ledger->copied("C1", "1700000002.000100")).value();
    REQUIRE(copied);
    CHECK(copied->ticket_id == 50);
    CHECK(copied->text == "text 1700000002.000100");
    // Copied messages are never queued again.
    CHECK_FALSE(run(ledger->queue(reply("1700000002.000100", 42))).value());
    std::vector<tb::bot::CopiedMessage> first{{"C1", "1700000000.000100", 42, "root"}};
    REQUIRE(run(ledger->remember(first)));
    CHECK_FALSE(run(ledger->queue(reply("1700000000.000100", 42))).value());
}

TEST_CASE("sqlite ledger: marked steps survive reopening, unmarked ones are not done") {
    TempLedger tmp;
    {
        auto ledger = tb::store::make_sqlite_ledger(tmp.path);
        CHECK_FALSE(run(ledger->step_done("Ev1", "applied")).value());
        REQUIRE(run(ledger->mark_step("Ev1", "applied")));
        CHECK(run(ledger->step_done("Ev1", "applied")).value());
    }
    auto ledger = tb::store::make_sqlite_ledger(tmp.path);
    CHECK(run(ledger->step_done("Ev1", "applied")).value());
    CHECK_FALSE(run(ledger->step_done("Ev1", "announced")).value());  // same delivery, other step
    CHECK_FALSE(run(ledger->step_done("Ev2", "applied")).value());    // same step, other delivery
}

TEST_CASE("sqlite ledger: marking a step twice is fine") {
    TempLedger tmp;
    auto ledger = tb::store::make_sqlite_ledger(tmp.path);
    REQUIRE(run(ledger->mark_step("Ev1", "applied")));
    REQUIRE(run(ledger->mark_step("Ev1", "applied")));
    CHECK(run(ledger->step_done("Ev1", "applied")).value());
    REQUIRE(run(ledger->mark_step("Ev1", "announced")));
    CHECK(run(ledger->step_done("Ev1", "announced")).value());
}

TEST_CASE("sqlite ledger: a closed thread is kept but no longer found by its ticket") {
    TempLedger tmp;
    auto ledger = tb::store::make_sqlite_ledger(tmp.path);
    ThreadRecord record;
    record.key = {"T1", "C1", "1700000000.000100"};
    record.ticket_id = 42;
    record.origin = "Ev1";
    REQUIRE(run(ledger->save(record)));
    CHECK(run(ledger->find_by_ticket(42)).value().has_value());
    record.closed = true;
    REQUIRE(run(ledger->save(record)));
    CHECK_FALSE(run(ledger->find_by_ticket(42)).value().has_value());
    auto const kept = run(ledger->find(record.key)).value();
    REQUIRE(kept);
    CHECK(kept->closed);
}

TEST_CASE("sqlite ledger: the shown ticket keeps the newer state and the later told_until, cursors survive") {
    TempLedger tmp;
    using tb::bot::from_unix_ms;
    {
        auto ledger = tb::store::make_sqlite_ledger(tmp.path);
        CHECK_FALSE(run(ledger->shown(42)).value().has_value());
        tb::bot::ShownTicket newer{42, "pending", "high", 7, 500, "Login fails", from_unix_ms(2'000), from_unix_ms(2'000)};
        REQUIRE(run(ledger->show(newer)));
        auto older = newer;
        older.status = "open";
        older.group_id.reset();
        older.updated_at = from_unix_ms(1'000);
        older.told_until = from_unix_ms(9'000);
        REQUIRE(run(ledger->show(older)));  // a late redraw: fields stay, told_until moves on
        CHECK_FALSE(run(ledger->cursor("zendesk_ticket_export")).value().has_value());
        REQUIRE(run(ledger->save_cursor("zendesk_ticket_export", "1700000000.42")));
    }
    auto ledger = tb::store::make_sqlite_ledger(tmp.path);
    auto const shown = run(ledger->shown(42)).value();
    REQUIRE(shown);
    CHECK(shown->status == "pending");
    CHECK(shown->group_id == 7);
    CHECK(shown->assignee_id == 500);
    CHECK(shown->updated_at == from_unix_ms(2'000));
    CHECK(shown->told_until == from_unix_ms(9'000));
    CHECK(run(ledger->cursor("zendesk_ticket_export")).value() == std::optional<std::string>{"1700000000.42"});
}

TEST_CASE("sqlite ledger: a file from before closed threads existed gets the column, its threads open") {
    TempLedger tmp;
    REQUIRE(tb::testing::run_sqlite_script(
        tmp.path,
        "CREATE TABLE threads (external_id TEXT PRIMARY KEY, team TEXT NOT NULL, channel TEXT NOT NULL, "
        "thread_ts TEXT NOT NULL, ticket_id INTEGER NOT NULL, origin TEXT NOT NULL, card_ts TEXT NOT NULL "
        "DEFAULT '', reacted INTEGER NOT NULL DEFAULT 0, duplicate_noticed INTEGER NOT NULL DEFAULT 0, "
        "follows INTEGER);"
        "INSERT INTO threads (external_id, team, channel, thread_ts, ticket_id, origin) "
        "VALUES ('slack:T1:C1:1.0', 'T1', 'C1', '1.0', 42, 'Ev1');"));
    auto ledger = tb::store::make_sqlite_ledger(tmp.path);
    auto const found = run(ledger->find_by_ticket(42)).value();
    REQUIRE(found);
    CHECK_FALSE(found->closed);
}
