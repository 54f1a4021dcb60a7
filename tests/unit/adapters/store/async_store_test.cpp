#include "adapters/store/async_store.hpp"

#include <doctest/doctest.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "adapters/store/sqlite/sqlite_store.hpp"
#include "tests/fakes/fake_clock.hpp"
#include "tests/support/process.hpp"

namespace {

using namespace std::chrono_literals;
using tb::bot::Delivery;
using tb::bot::Job;
using tb::bot::Source;
namespace asio = boost::asio;

struct TempDb {
    std::filesystem::path dir = tb::testing::temp_dir("tb-async-store");
    std::filesystem::path path = dir / "store.db";
    ~TempDb() { std::filesystem::remove_all(dir); }
};

// Passes writes to SQLite, holding them while closed, and remembers what each one carried.
class GatedStore final : public tb::store::BlockingStore {
public:
    struct Shape {
        std::size_t deliveries, outcomes, claims;
    };
    explicit GatedStore(std::filesystem::path const& path) : inner_{tb::store::make_sqlite_store(path)} {}

    void close() {
        std::lock_guard lock{mutex_};
        open_ = false;
    }
    void open() {
        {
            std::lock_guard lock{mutex_};
            open_ = true;
        }
        cv_.notify_all();
    }
    // Returns once a write is held at the gate.
    void wait_for_writer() {
        std::unique_lock lock{mutex_};
        cv_.wait(lock, [this] { return held_ > 0; });
    }
    std::vector<Shape> shapes() {
        std::lock_guard lock{mutex_};
        return shapes_;
    }

    tb::Result<tb::store::WriteResult> write(tb::store::WriteBatch const& batch) override {
        {
            std::unique_lock lock{mutex_};
            ++held_;
            cv_.notify_all();
            cv_.wait(lock, [this] { return open_; });
            --held_;
            shapes_.push_back({batch.deliveries.size(), batch.outcomes.size(), batch.claims.size()});
        }
        return inner_->write(batch);
    }
    tb::Result<tb::bot::StoreStats> stats() override { return inner_->stats(); }
    tb::Result<void> ping() override { return inner_->ping(); }

private:
    std::unique_ptr<tb::store::BlockingStore> inner_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool open_ = true;
    int held_ = 0;
    std::vector<Shape> shapes_;
};

// A store whose disk is gone: every write fails.
class FailingStore final : public tb::store::BlockingStore {
public:
    tb::Result<tb::store::WriteResult> write(tb::store::WriteBatch const& /*batch*/) override {
        return boost::system::error_code{tb::bot::errc::store_unavailable};
    }
    tb::Result<tb::bot::StoreStats> stats() override {
        return boost::system::error_code{tb::bot::errc::store_unavailable};
    }
    tb::Result<void> ping() override { return boost::system::error_code{tb::bot::errc::store_unavailable}; }
};

// An AsyncStore writing through a GatedStore into a fresh file.
struct GatedAsyncStore {
    TempDb db;
    tb::fakes::FakeClock clock;
    std::unique_ptr<GatedStore> owned = std::make_unique<GatedStore>(db.path);
    GatedStore& gate = *owned;
    tb::store::AsyncStore store{std::move(owned), clock};
};

Delivery delivery(int i, tb::bot::Instant at) {
    return {Source::slack_event, "Ev" + std::to_string(i), R"({"k":"v"})", at};
}

struct Tally {
    int fresh = 0;
    int settled = 0;
    int failed = 0;
    std::vector<Job> claimed;
};

// Coroutine parameters live in the frame (a lambda coroutine's captures would not).
asio::awaitable<void> record_one(tb::store::AsyncStore& store, Delivery d, Tally& tally) {
    auto const r = co_await store.record(std::move(d));
    if (!r) ++tally.failed;
    else if (*r) ++tally.fresh;
}

asio::awaitable<void> claim_some(tb::store::AsyncStore& store, std::size_t limit,
                                 tb::bot::Instant now, Tally& tally) {
    auto r = co_await store.claim(limit, now, 60s);
    if (!r) {
        ++tally.failed;
        co_return;
    }
    for (auto& job : *r) tally.claimed.push_back(std::move(job));
}

enum class Fate { done, retry, dead };

asio::awaitable<void> settle_one(tb::store::AsyncStore& store, tb::bot::JobId id, Fate fate,
                                 tb::bot::Instant due, Tally& tally) {
    tb::Result<void> r;
    if (fate == Fate::done) r = co_await store.complete(id);
    else if (fate == Fate::retry) r = co_await store.retry(id, due, "429");
    else r = co_await store.bury(id, "422");
    if (r) ++tally.settled;
    else ++tally.failed;
}

void fill(tb::store::AsyncStore& store, int count, tb::bot::Instant at, Tally& tally) {
    asio::io_context io;
    for (int i = 0; i < count; ++i) asio::co_spawn(io, record_one(store, delivery(i, at), tally), asio::detached);
    io.run();
}

asio::awaitable<void> stats_into(tb::store::AsyncStore& store, tb::Result<tb::bot::StoreStats>& out) {
    out = co_await store.stats();
}

std::vector<Job> claim_all(tb::store::AsyncStore& store, std::size_t limit, tb::bot::Instant now) {
    asio::io_context io;
    Tally tally;
    asio::co_spawn(io, claim_some(store, limit, now, tally), asio::detached);
    io.run();
    return std::move(tally.claimed);
}

}  // namespace

TEST_CASE("async store: many concurrent outcomes share few commits, and survive reopening") {
    TempDb db;
    tb::fakes::FakeClock clock;
    constexpr int kJobs = 600;
    {
        auto gated = std::make_unique<GatedStore>(db.path);
        auto& gate = *gated;
        tb::store::AsyncStore store{std::move(gated), clock};
        Tally tally;
        fill(store, kJobs, clock.now(), tally);
        REQUIRE(tally.fresh == kJobs);
        std::vector<Job> jobs;
        while (jobs.size() < kJobs) {
            auto more = claim_all(store, kJobs, clock.now());
            REQUIRE_FALSE(more.empty());
            for (auto& j : more) jobs.push_back(std::move(j));
        }
        auto const before = store.commits();
        asio::io_context io;
        gate.close();  // the first write waits until every outcome is queued
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            auto const fate = i % 3 == 0 ? Fate::done : (i % 3 == 1 ? Fate::retry : Fate::dead);
            asio::co_spawn(io, settle_one(store, jobs[i].id, fate, clock.now() + 30s, tally), asio::detached);
        }
        io.poll();
        gate.open();
        io.run();
        CHECK(tally.settled == kJobs);
        CHECK(tally.failed == 0);
        auto const commits = store.commits() - before;
        MESSAGE(kJobs << " outcomes in " << commits << " commits");
        CHECK(commits >= 1);
        CHECK(commits <= 2);  // one fsync settles many jobs
    }  // the process "stops"; every answered outcome must be on disk

    tb::store::AsyncStore store{tb::store::make_sqlite_store(db.path), clock};
    asio::io_context io;
    tb::Result<tb::bot::StoreStats> stats = boost::system::error_code{tb::bot::errc::store_unavailable};
    asio::co_spawn(io, stats_into(store, stats), asio::detached);
    io.run();
    REQUIRE(stats.has_value());
    CHECK(stats->jobs_running == 0);        // none was left leased
    CHECK(stats->jobs_pending == kJobs / 3);  // the retries, due in 30 s
    CHECK(stats->jobs_dead == kJobs / 3);
    CHECK(claim_all(store, kJobs, clock.now()).empty());
    CHECK(claim_all(store, kJobs, clock.now() + 30s).size() == kJobs / 3);
}

TEST_CASE_FIXTURE(GatedAsyncStore, "async store: records, outcomes and claims arriving together share one commit") {
    Tally tally;
    fill(store, 10, clock.now(), tally);
    auto const jobs = claim_all(store, 5, clock.now());
    REQUIRE(jobs.size() == 5);

    auto const before = store.commits();
    auto const writes = gate.shapes().size();
    asio::io_context io;
    gate.close();
    asio::co_spawn(io, record_one(store, delivery(10, clock.now()), tally), asio::detached);
    io.poll();
    gate.wait_for_writer();  // that delivery's write is under way; the rest will queue
    for (int i = 11; i < 20; ++i) {
        asio::co_spawn(io, record_one(store, delivery(i, clock.now()), tally), asio::detached);
    }
    for (auto const& job : jobs) {
        asio::co_spawn(io, settle_one(store, job.id, Fate::done, {}, tally), asio::detached);
    }
    asio::co_spawn(io, claim_some(store, 100, clock.now(), tally), asio::detached);
    io.poll();  // every write is queued; the first one waits at the gate
    gate.open();
    io.run();
    CHECK(tally.fresh == 20);
    CHECK(tally.settled == 5);
    CHECK(tally.failed == 0);
    CHECK(store.commits() - before == 2);
    auto const shapes = gate.shapes();
    REQUIRE(shapes.size() == writes + 2);
    CHECK(shapes[writes].deliveries == 1);
    auto const last = shapes.back();
    CHECK(last.deliveries == 9);
    CHECK(last.outcomes == 5);
    CHECK(last.claims == 1);
    // In its transaction the claim comes after the deliveries: it sees them all.
    CHECK(tally.claimed.size() == 15);
}

TEST_CASE("async store: a claim leases at most max_claimed jobs per transaction") {
    TempDb db;
    tb::fakes::FakeClock clock;
    tb::store::AsyncStoreLimits limits;
    limits.max_claimed = 16;
    tb::store::AsyncStore store{tb::store::make_sqlite_store(db.path), clock, limits};
    Tally tally;
    fill(store, 100, clock.now(), tally);
    auto const before = store.commits();
    asio::io_context io;
    for (int i = 0; i < 4; ++i) asio::co_spawn(io, claim_some(store, 10, clock.now(), tally), asio::detached);
    io.run();
    CHECK(tally.claimed.size() == 40);
    CHECK(store.commits() - before >= 3);  // 10 + 10 > 16: claims were spread over commits
    CHECK(claim_all(store, 1000, clock.now()).size() == 16);
}

TEST_CASE_FIXTURE(GatedAsyncStore, "async store: the callers one commit answers resume in one call on their thread") {
    constexpr int kCallers = 200;
    asio::io_context io;
    Tally tally;
    gate.close();
    for (int i = 0; i < kCallers; ++i) {
        asio::co_spawn(io, record_one(store, delivery(i, clock.now()), tally), asio::detached);
    }
    io.poll();  // every record is queued, the first write waits at the gate
    auto const queued = io.poll();
    gate.open();
    store.shutdown();  // both commits are written and their answers queued on `io`
    auto const handlers = io.run();
    MESSAGE(kCallers << " callers resumed by " << handlers << " queued calls");
    CHECK(queued == 0);
    CHECK(tally.fresh == kCallers);
    CHECK(handlers <= 4);  // one per commit, where one per caller made it 200
}

TEST_CASE_FIXTURE(GatedAsyncStore, "async store: callers from different executors each resume on their own") {
    asio::io_context first;
    asio::io_context second;
    Tally on_first;
    Tally on_second;
    int expected_first = 0;
    gate.close();
    for (int i = 0; i < 40; ++i) {
        // Runs of 1, 2, 3... callers on the same executor, alternating.
        bool const to_first = (i / 4) % 2 == 0 || i % 3 == 0;
        expected_first += to_first ? 1 : 0;
        auto& io = to_first ? first : second;
        auto& tally = to_first ? on_first : on_second;
        asio::co_spawn(io, record_one(store, delivery(i, clock.now()), tally), asio::detached);
        io.poll();
    }
    gate.open();
    store.shutdown();
    first.run();
    CHECK(on_first.fresh == expected_first);
    CHECK(on_second.fresh == 0);  // nothing of the second ran on the first's thread
    second.run();
    CHECK(on_first.fresh + on_second.fresh == 40);
    CHECK(on_first.fresh > 0);
    CHECK(on_second.fresh > 0);
}

TEST_CASE("async store: when the write fails, every caller of that commit is told so") {
    tb::fakes::FakeClock clock;
    tb::store::AsyncStore store{std::make_unique<FailingStore>(), clock};
    asio::io_context io;
    Tally tally;
    for (int i = 0; i < 5; ++i) {
        asio::co_spawn(io, record_one(store, delivery(i, clock.now()), tally), asio::detached);
        asio::co_spawn(io, settle_one(store, i + 1, Fate::done, clock.now(), tally), asio::detached);
    }
    asio::co_spawn(io, claim_some(store, 10, clock.now(), tally), asio::detached);
    io.run();
    CHECK(tally.failed == 11);
    CHECK(tally.fresh == 0);
    CHECK(tally.settled == 0);
    CHECK(tally.claimed.empty());
}
