#include "adapters/store/sqlite/sqlite_store.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <thread>

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

TEST_CASE("sqlite store: claims lease jobs; an expired lease is claimable again") {
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

TEST_CASE("sqlite store: retry makes a job due later; bury keeps it dead with the reason") {
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

TEST_CASE("sqlite store: jobs and deliveries survive reopening; crashed leases are released") {
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
