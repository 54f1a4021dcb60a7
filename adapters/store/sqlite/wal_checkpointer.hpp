#pragma once

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <mutex>
#include <thread>

namespace tb::store {

struct WalLimits {
    // The background thread folds the WAL into the database (PASSIVE) once this many frames
    // were added since its last pass, and at least every `idle_pass` while anything changed.
    std::size_t background_frames = 1000;
    std::chrono::milliseconds idle_pass{250};
    // Past this many frames the writer folds the rest in itself before its next transaction,
    // so the WAL can start over from its beginning (it is then also cut back to this size).
    std::size_t limit_frames = 4000;
};

// Keeps the WAL of a database bounded while one connection (the writer) commits to it at a
// high rate. SQLite can only restart a WAL from its beginning when a write transaction starts
// while every frame has been copied back into the database and no reader still needs one;
// a background checkpoint alone rarely ends exactly between two commits, so the writer
// finishes the job itself, cheaply, when the WAL passed `limit_frames`.
//
// Every checkpoint here is PASSIVE: it never waits for locks, so another connection writing
// or reading the same file (or checkpointing it) only postpones the restart, never fails a
// write. A checkpoint that could not finish is simply tried again later.
class WalCheckpointer {
public:
    // Installs a commit hook on `writer` (replacing SQLite's autocheckpoint) and starts the
    // background thread with its own connection to `path`.
    WalCheckpointer(std::filesystem::path const& path, sqlite3* writer, WalLimits limits);
    // Stops the thread and folds the WAL in (best effort), before the writer closes.
    ~WalCheckpointer();
    WalCheckpointer(WalCheckpointer const&) = delete;
    WalCheckpointer& operator=(WalCheckpointer const&) = delete;

    // On the writer's thread, outside a transaction.
    void before_write();

    std::size_t wal_frames() const noexcept { return frames_.load(std::memory_order_relaxed); }

private:
    static int on_commit(void* self, sqlite3* db, char const* schema, int frames);
    void loop(std::filesystem::path path);
    bool passive(sqlite3* db);  // true when every frame is in the database

    sqlite3* writer_;
    WalLimits limits_;
    std::size_t next_inline_;                 // writer thread only
    std::atomic<std::size_t> frames_{0};      // WAL size after the writer's last commit
    std::atomic<std::size_t> commits_{0};     // commits seen by the hook
    std::size_t notified_at_ = 0;             // writer thread only
    std::mutex checkpoint_mutex_;             // one of our checkpoints at a time
    std::mutex mutex_;
    std::condition_variable cv_;
    bool wake_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace tb::store
