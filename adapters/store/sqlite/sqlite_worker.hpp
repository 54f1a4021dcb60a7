#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include "adapters/store/run_blocking.hpp"
#include "adapters/store/sqlite/statement.hpp"
#include "bot/result.hpp"

namespace tb::store {

// One connection to the service's SQLite file with its own worker thread: calls run there, one
// at a time, so callers never wait for the disk. The ledger and the SLA book each have one.
class SqliteWorker {
protected:
    // Opens the file (WAL, synchronous=FULL, busy timeout) and runs `prepare` on it, e.g. to
    // create tables; throws when either fails.
    template <class Prepare>
    SqliteWorker(std::filesystem::path const& path, char const* name, Prepare prepare) : db_{open(path)}, name_{name} {
        try {
            exec(db_, "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
            prepare(db_);
        } catch (...) {
            sqlite3_close_v2(db_);
            throw;
        }
    }
    ~SqliteWorker() {
        pool_.join();
        sqlite3_close_v2(db_);
    }
    SqliteWorker(SqliteWorker const&) = delete;
    SqliteWorker& operator=(SqliteWorker const&) = delete;

    template <class Fn>
    auto blocking(Fn fn) -> boost::asio::awaitable<std::invoke_result_t<Fn&>> {
        auto guarded = [this, fn = std::move(fn)]() mutable {
            std::lock_guard lock{mutex_};
            return fn();
        };
        co_return co_await run_blocking(pool_.get_executor(), std::move(guarded));
    }

    // Logs what failed with SQLite's message; the caller sees only that the store is unavailable.
    error_code failed(char const* what) {
        spdlog::error("{}: {} failed: {}", name_, what, sqlite3_errmsg(db_));
        return bot::errc::store_unavailable;
    }

    sqlite3* db_;

private:
    std::string name_;
    std::mutex mutex_;
    boost::asio::thread_pool pool_{1};
};

}  // namespace tb::store
