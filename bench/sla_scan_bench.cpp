// The SLA scanner's cost per tick as the number of followed open tickets grows: the SQLite book
// on a temp file, 10 tickets due per tick, every other ticket's next look in the future.
// Prints one line per size; the figure should stay flat (an index walk, not a table scan).
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "adapters/store/sqlite/sqlite_ledger.hpp"
#include "adapters/store/sqlite/sqlite_sla_book.hpp"
#include "bot/sla/sla_watch.hpp"
#include "tests/fakes/fake_clock.hpp"
#include "tests/fakes/memory_chat.hpp"
#include "tests/fakes/memory_desk.hpp"

namespace {

using namespace std::chrono_literals;
using Ms = std::chrono::duration<double, std::milli>;
constexpr std::int64_t kMonday0900 = 1'795'424'400'000;
constexpr int kDuePerTick = 10;
constexpr int kTicks = 30;
constexpr int kFirstId = 100;  // MemoryDesk's first ticket id: the due ones exist there

template <class T>
T run(boost::asio::awaitable<T> call) {
    boost::asio::io_context io;
    auto future = boost::asio::co_spawn(io, std::move(call), boost::asio::use_future);
    io.run();
    return future.get();
}

void exec(sqlite3* db, std::string const& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::fprintf(stderr, "sqlite: %s\n", error ? error : "?");
        std::exit(1);
    }
}

// `open` followed tickets created last Thursday, next look a week ahead, in one transaction.
void fill(std::filesystem::path const& path, int open) {
    sqlite3* db = nullptr;
    sqlite3_open(path.string().c_str(), &db);
    exec(db, "BEGIN");
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO sla_tickets (ticket_id, created_at, tags, next_due) VALUES (?, ?, '', ?)", -1,
                       &insert, nullptr);
    for (int id = kFirstId; id < kFirstId + open; ++id) {
        sqlite3_bind_int64(insert, 1, id);
        sqlite3_bind_int64(insert, 2, kMonday0900 - 4 * 86'400'000LL);  // Thursday: first reply breached
        sqlite3_bind_int64(insert, 3, kMonday0900 + 7 * 86'400'000LL + id);
        sqlite3_step(insert);
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    exec(db, "COMMIT");
    sqlite3_close(db);
}

// Makes kDuePerTick tickets due again (a tick moves the ones it looked at on).
void make_due(std::filesystem::path const& path, int open, int tick) {
    sqlite3* db = nullptr;
    sqlite3_open(path.string().c_str(), &db);
    std::string ids;
    for (int i = 0; i < kDuePerTick; ++i) {
        ids += (i ? "," : "") + std::to_string(kFirstId + (tick * kDuePerTick + i) % std::min(open, kTicks * kDuePerTick));
    }
    exec(db, "UPDATE sla_tickets SET next_due = " + std::to_string(kMonday0900 - 60'000) + " WHERE ticket_id IN (" +
                 ids + ")");
    sqlite3_close(db);
}

void measure(int open) {
    auto const dir = std::filesystem::temp_directory_path() / ("tb-sla-bench-" + std::to_string(open));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto const path = dir / "ticketbridge.db";
    {
        tb::bot::Settings settings;
        settings.slack.alert_channel = "C0ALERTS";
        tb::bot::WorkingCalendar const calendar{settings.sla.calendar};
        auto book = tb::store::make_sqlite_sla_book(path);
        auto ledger = tb::store::make_sqlite_ledger(path);
        fill(path, open);
        tb::fakes::FakeClock clock{tb::bot::from_unix_ms(kMonday0900)};
        tb::fakes::MemoryChat chat;
        tb::fakes::MemoryDesk desk;
        for (int i = 0; i < open && i < kTicks * kDuePerTick; ++i) desk.add_ticket("Ticket " + std::to_string(i));
        tb::bot::SlaWatch watch{settings, calendar, *book, *ledger, chat, desk, clock};
        std::vector<double> ticks;
        for (int tick = 0; tick < kTicks; ++tick) {
            make_due(path, open, tick);
            auto const start = std::chrono::steady_clock::now();
            run(watch.scan());
            ticks.push_back(Ms{std::chrono::steady_clock::now() - start}.count());
        }
        std::sort(ticks.begin(), ticks.end());
        auto const empty_start = std::chrono::steady_clock::now();
        run(watch.scan());
        auto const empty = Ms{std::chrono::steady_clock::now() - empty_start}.count();
        std::printf("%8d open tickets: tick with %d due  median %7.2f ms  p90 %7.2f ms | tick with none due %6.3f ms | "
                    "alerts posted %zu\n",
                    open, kDuePerTick, ticks[ticks.size() / 2], ticks[ticks.size() * 9 / 10], empty,
                    chat.posted("post").size());
    }
    std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<int> sizes{100, 10'000, 100'000};
    if (argc > 1) {
        sizes.clear();
        for (int i = 1; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
    }
    std::printf("SLA scanner per-tick cost (SQLite book, synchronous=FULL, %d ticks each)\n", kTicks);
    for (auto const open : sizes) measure(open);
    return 0;
}
