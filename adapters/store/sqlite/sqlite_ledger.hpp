#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "bot/ports/thread_ledger.hpp"

namespace tb::store {

// The thread ledger in the service's SQLite file (its own tables and connection). Calls run on
// a private thread so callers never wait for the disk. Throws when the file cannot be opened.
std::unique_ptr<bot::ThreadLedger> make_sqlite_ledger(std::filesystem::path const& path);

// The highest ticket number a thread in the file follows; 0 for a new or missing file.
std::int64_t highest_ticket_in(std::filesystem::path const& path);

}  // namespace tb::store
