#pragma once

#include <filesystem>
#include <memory>

#include "adapters/store/blocking_store.hpp"

namespace tb::store {

// Opens (creating if needed) the SQLite database at `path` in WAL mode with full sync, so a
// committed delivery survives a crash or power loss. Throws std::runtime_error on failure.
std::unique_ptr<BlockingStore> make_sqlite_store(std::filesystem::path const& path);

}  // namespace tb::store
