#include "adapters/store/sqlite/wal_checkpointer.hpp"

#include <algorithm>
#include <exception>

#include <spdlog/spdlog.h>

#include "adapters/store/sqlite/statement.hpp"

namespace tb::store {

WalCheckpointer::WalCheckpointer(std::filesystem::path const& path, sqlite3* writer,
                                 WalLimits limits)
    : writer_{writer}, limits_{limits}, next_inline_{limits.limit_frames} {
    sqlite3_wal_hook(writer_, &WalCheckpointer::on_commit, this);
    thread_ = std::thread{[this, path] { loop(path); }};
}

WalCheckpointer::~WalCheckpointer() {
    {
        std::lock_guard lock{mutex_};
        stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
    sqlite3_wal_hook(writer_, nullptr, nullptr);
}

int WalCheckpointer::on_commit(void* self, sqlite3* /*db*/, char const* /*schema*/, int frames) {
    auto& me = *static_cast<WalCheckpointer*>(self);
    auto const n = static_cast<std::size_t>(std::max(frames, 0));
    me.frames_.store(n, std::memory_order_relaxed);
    me.commits_.fetch_add(1, std::memory_order_relaxed);
    if (n < me.notified_at_) me.notified_at_ = 0;  // the WAL started over
    if (n < me.limits_.limit_frames) me.next_inline_ = me.limits_.limit_frames;
    if (n - me.notified_at_ >= me.limits_.background_frames) {
        me.notified_at_ = n;
        {
            std::lock_guard lock{me.mutex_};
            me.wake_ = true;
        }
        me.cv_.notify_one();
    }
    return SQLITE_OK;
}

void WalCheckpointer::before_write() {
    auto const frames = frames_.load(std::memory_order_relaxed);
    if (frames < next_inline_) return;
    // Usually the background pass has copied nearly everything: this copies the rest and
    // syncs the database once; the next commit then writes from the WAL's beginning.
    std::lock_guard lock{checkpoint_mutex_};
    if (!passive(writer_)) {
        spdlog::debug("store: WAL at {} frames could not be folded in yet", frames);
    }
    // If a reader elsewhere kept the WAL from starting over, try again a little later.
    next_inline_ = frames + std::max<std::size_t>(limits_.limit_frames / 4, 1);
}

bool WalCheckpointer::passive(sqlite3* db) {
    int log = 0;
    int copied = 0;
    auto const rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    // SQLITE_BUSY: another connection is checkpointing; it does our work.
    return rc == SQLITE_OK && log >= 0 && copied == log;
}

void WalCheckpointer::loop(std::filesystem::path path) {
    sqlite3* db = nullptr;
    try {
        db = open(path);
        exec(db, "PRAGMA busy_timeout=5000");
        // The checkpoint syncs the database before the WAL may be reused: never skip it.
        exec(db, "PRAGMA synchronous=FULL");
        // SQLite opens the WAL of a connection on its first read; until then a checkpoint
        // on it does nothing and reports "not in WAL mode".
        exec(db, "SELECT 1 FROM sqlite_schema LIMIT 1");
    } catch (std::exception const& e) {
        spdlog::error("store: WAL checkpointer disabled: {}", e.what());
        if (db != nullptr) sqlite3_close_v2(db);
        return;
    }
    auto seen = commits_.load(std::memory_order_relaxed);
    std::unique_lock lock{mutex_};
    while (!stopping_) {
        cv_.wait_for(lock, limits_.idle_pass, [this] { return stopping_ || wake_; });
        wake_ = false;
        if (stopping_) break;
        auto const commits = commits_.load(std::memory_order_relaxed);
        if (commits == seen) continue;
        seen = commits;
        lock.unlock();
        {
            std::lock_guard checkpointing{checkpoint_mutex_};
            passive(db);
        }
        lock.lock();
    }
    lock.unlock();
    // Leave a short WAL behind; another connection may still be open, so wait only briefly.
    sqlite3_busy_timeout(db, 1000);
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    sqlite3_close_v2(db);
}

}  // namespace tb::store
