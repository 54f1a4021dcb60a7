#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "adapters/store/blocking_store.hpp"
#include "adapters/store/sqlite/wal_checkpointer.hpp"

namespace tb::store {

struct SqliteOptions {
    // How long a write waits for another connection to the same file (e.g. the ledger)
    // that holds the write lock, before it fails as store_unavailable.
    std::chrono::milliseconds busy_timeout{5000};
    WalLimits wal;
};

// Opens (creating if needed) the SQLite database at `path` in WAL mode with full sync, so a
// committed delivery survives a crash or power loss. Throws std::runtime_error on failure.
std::unique_ptr<BlockingStore> make_sqlite_store(std::filesystem::path const& path,
                                                 SqliteOptions const& options = {});

}  // namespace tb::store
