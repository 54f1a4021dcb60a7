#include "adapters/store/sqlite/sqlite_sla_book.hpp"

#include <doctest/doctest.h>

#include <filesystem>


#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "tests/support/process.hpp"
#include "tests/support/sqlite_script.hpp"

namespace {

namespace asio = boost::asio;
using tb::bot::from_unix_ms;
using tb::bot::SlaEvent;

struct TempBook {
    std::filesystem::path dir = tb::testing::temp_dir("tb-sla-book");
    std::filesystem::path path = dir / "ticketbridge.db";
    ~TempBook() { std::filesystem::remove_all(dir); }
};

template <class T>
T run(asio::awaitable<T> call) {
    asio::io_context io;
    auto future = asio::co_spawn(io, std::move(call), asio::use_future);
    io.run();
    return future.get();
}

}  // namespace

TEST_CASE("sqlite sla book: a followed ticket's history survives reopening, each event key counts once") {
    TempBook tmp;
    {
        auto book = tb::store::make_sqlite_sla_book(tmp.path);
        REQUIRE(run(book->follow(7, from_unix_ms(1'000), {"slack", "department"}, 42)));
        REQUIRE(run(book->follow(7, from_unix_ms(5'000), {}, std::nullopt)));  // again: kept as it was
        CHECK(run(book->add(7, "ev2", {from_unix_ms(3'000), SlaEvent::Kind::status_changed, "pending"})).value());
        CHECK(run(book->add(7, "comment:9", {from_unix_ms(2'000), SlaEvent::Kind::agent_public_reply, ""})).value());
        CHECK_FALSE(run(book->add(7, "ev2", {from_unix_ms(4'000), SlaEvent::Kind::status_changed, "open"})).value());
        CHECK_FALSE(run(book->add(8, "ev3", {from_unix_ms(4'000), SlaEvent::Kind::status_changed, "open"})).value());
    }
    auto book = tb::store::make_sqlite_sla_book(tmp.path);
    auto const record = run(book->record(7)).value();
    REQUIRE(record);
    CHECK(record->history.created == from_unix_ms(1'000));
    CHECK(record->history.tags == std::vector<std::string>{"slack", "department"});
    CHECK(record->history.organization_id == 42);
    REQUIRE(record->history.events.size() == 2);
    CHECK(record->history.events[0].kind == SlaEvent::Kind::agent_public_reply);
    CHECK(record->history.events[1].status == "pending");
    CHECK_FALSE(run(book->record(8)).value().has_value());
}

TEST_CASE("sqlite sla book: due tickets come soonest first, unscheduled ones never, reports by creation") {
    TempBook tmp;
    auto book = tb::store::make_sqlite_sla_book(tmp.path);
    for (tb::bot::TicketId id = 1; id <= 5; ++id) {
        REQUIRE(run(book->follow(id, from_unix_ms(id * 1'000), {}, std::nullopt)));
    }
    REQUIRE(run(book->schedule(1, from_unix_ms(50'000), std::nullopt)));
    REQUIRE(run(book->schedule(2, from_unix_ms(20'000), std::nullopt)));
    REQUIRE(run(book->schedule(3, from_unix_ms(90'000), std::nullopt)));
    REQUIRE(run(book->schedule(4, std::nullopt, std::nullopt)));
    CHECK(run(book->due(from_unix_ms(60'000), 10)).value() == std::vector<tb::bot::TicketId>{2, 1});
    CHECK(run(book->due(from_unix_ms(60'000), 1)).value() == std::vector<tb::bot::TicketId>{2});
    REQUIRE(run(book->schedule(2, std::nullopt, std::nullopt)));
    CHECK(run(book->due(from_unix_ms(100'000), 10)).value() == std::vector<tb::bot::TicketId>{1, 3});
    auto const created = run(book->created_between(from_unix_ms(2'000), from_unix_ms(4'000))).value();
    REQUIRE(created.size() == 2);
    CHECK(created[0].ticket_id == 2);
    CHECK(created[1].ticket_id == 3);
}

TEST_CASE("sqlite sla book: tickets pending too long come the longest first, and leave when no longer overdue") {
    TempBook tmp;
    auto book = tb::store::make_sqlite_sla_book(tmp.path);
    for (tb::bot::TicketId id = 1; id <= 4; ++id) {
        REQUIRE(run(book->follow(id, from_unix_ms(id * 1'000), {}, std::nullopt)));
    }
    REQUIRE(run(book->schedule(1, std::nullopt, from_unix_ms(30'000))));
    REQUIRE(run(book->schedule(2, from_unix_ms(5'000), from_unix_ms(10'000))));
    REQUIRE(run(book->schedule(3, from_unix_ms(5'000), std::nullopt)));
    CHECK(run(book->pending_overdue(10)).value() == std::vector<tb::bot::TicketId>{2, 1});
    CHECK(run(book->pending_overdue(1)).value() == std::vector<tb::bot::TicketId>{2});
    REQUIRE(run(book->schedule(2, std::nullopt, std::nullopt)));
    CHECK(run(book->pending_overdue(10)).value() == std::vector<tb::bot::TicketId>{1});
}

TEST_CASE("sqlite sla book: a file from before the pending digest gets its column, its tickets kept") {
    TempBook tmp;
    REQUIRE(tb::testing::run_sqlite_script(
        tmp.path,
        "CREATE TABLE sla_tickets (ticket_id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, "
        "tags TEXT NOT NULL, organization_id INTEGER, next_due INTEGER, group_name TEXT NOT NULL "
        "DEFAULT '', priority TEXT NOT NULL DEFAULT '');"
        "INSERT INTO sla_tickets (ticket_id, created_at, tags) VALUES (7, 1000, 'slack');"));
    auto book = tb::store::make_sqlite_sla_book(tmp.path);
    REQUIRE(run(book->record(7)).value().has_value());
    REQUIRE(run(book->schedule(7, std::nullopt, from_unix_ms(9'000))));
    CHECK(run(book->pending_overdue(10)).value() == std::vector<tb::bot::TicketId>{7});
}
