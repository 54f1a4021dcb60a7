// Accepted means durable: what was answered 2xx survives kill -9, and SIGTERM drains.
#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include "tests/integration/service_fixture.hpp"

using namespace tb::testing;

namespace {

// Sends events from `senders` threads until told to stop; remembers which were acknowledged.
class Burst {
public:
    Burst(ServiceUnderTest& service, int senders, int per_sender) {
        for (int s = 0; s < senders; ++s) {
            threads_.emplace_back([this, &service, s, per_sender] {
                for (int i = 0; i < per_sender && !stop_; ++i) {
                    auto const id = "EvBURST" + std::to_string(s) + "x" + std::to_string(i);
                    auto const answer = service.post_slack("/slack/events", reaction_event(id));
                    std::lock_guard lock{mutex_};
                    if (answer.status == 200) acked_.insert(id);
                    else if (answer.status != 0) other_.push_back(answer.status);
                }
            });
        }
    }
    ~Burst() { join(); }
    void stop() { stop_ = true; }
    void join() {
        for (auto& t : threads_) if (t.joinable()) t.join();
    }
    std::set<std::string> acked() {
        std::lock_guard lock{mutex_};
        return acked_;
    }
    std::vector<int> other_statuses() {
        std::lock_guard lock{mutex_};
        return other_;
    }

private:
    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::set<std::string> acked_;
    std::vector<int> other_;
};

std::set<std::string> recorded_ids(std::filesystem::path const& db) {
    std::set<std::string> ids;
    auto const n = count_rows(db, "SELECT count(*) FROM deliveries WHERE source <> 'scheduled'");
    // Read them back one by one through count queries keeps the helper small; n is modest.
    (void)n;
    sqlite3* handle = nullptr;
    sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(handle, "SELECT delivery_id FROM deliveries WHERE source <> 'scheduled'", -1, &stmt, nullptr);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        ids.insert(reinterpret_cast<char const*>(sqlite3_column_text(stmt, 0)));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(handle);
    return ids;
}

}  // namespace

TEST_CASE("durability: kill -9 during a burst loses no acknowledged delivery") {
    ServiceUnderTest service;
    Burst burst{service, 8, 400};
    // Let a good part of the burst be acknowledged, then kill the service mid-stream.
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
    while (burst.acked().size() < 300 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    service.process().signal(SIGKILL);
    burst.stop();
    burst.join();
    CHECK(service.process().wait(std::chrono::seconds{5}) == 128 + SIGKILL);

    auto const acked = burst.acked();
    REQUIRE(acked.size() >= 300);
    auto const recorded = recorded_ids(service.db_path());
    std::size_t lost = 0;
    for (auto const& id : acked) lost += recorded.contains(id) ? 0 : 1;
    CHECK_MESSAGE(lost == 0, lost << " of " << acked.size() << " acknowledged deliveries were lost");
    CHECK(count_rows(service.db_path(), "SELECT count(*) FROM jobs WHERE source <> 'scheduled'") ==
          static_cast<std::int64_t>(recorded.size()));

    // After a restart every recorded delivery's job is worked off, none twice.
    service.start();
    auto const until = std::chrono::steady_clock::now() + std::chrono::seconds{20};
    while (count_rows(service.db_path(), "SELECT count(*) FROM jobs WHERE source <> 'scheduled' AND state <> 'done'") > 0 &&
           std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    CHECK(count_rows(service.db_path(), "SELECT count(*) FROM jobs WHERE source <> 'scheduled' AND state <> 'done'") == 0);
    CHECK(count_rows(service.db_path(), "SELECT count(*) FROM jobs WHERE source <> 'scheduled'") == static_cast<std::int64_t>(recorded.size()));
}

TEST_CASE("durability: SIGTERM finishes requests in flight, commits them and exits 0") {
    ServiceUnderTest service;
    Burst burst{service, 6, 200};
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
    while (burst.acked().size() < 100 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    service.process().signal(SIGTERM);
    auto const exit_code = service.process().wait(std::chrono::seconds{15});
    burst.stop();
    burst.join();
    CHECK(exit_code == 0);
    // Requests in flight at the signal were answered 200, not cut off with an error status.
    CHECK(burst.other_statuses().empty());
    auto const acked = burst.acked();
    auto const recorded = recorded_ids(service.db_path());
    for (auto const& id : acked) CHECK(recorded.contains(id));
    auto const log = service.log();
    CHECK(log.find("draining") != std::string::npos);
    CHECK(log.find("stopped cleanly") != std::string::npos);
}
