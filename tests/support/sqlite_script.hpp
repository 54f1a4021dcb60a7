#pragma once

#include <sqlite3.h>

#include <filesystem>

namespace tb::testing {

// Runs `sql` on the SQLite file at `path` (created if missing), e.g. to make a file as an older
// release left it. True when every statement ran.
inline bool run_sqlite_script(std::filesystem::path const& path, char const* sql) {
    sqlite3* db = nullptr;
    bool ok = sqlite3_open(path.c_str(), &db) == SQLITE_OK &&
              sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    return ok;
}

}  // namespace tb::testing
