#pragma once

#include <sqlite3.h>

namespace tb::store {

// Creates the store's tables and indexes if missing, and brings a file written by an older
// version up to date (in one transaction). Throws std::runtime_error on failure.
void ensure_schema(sqlite3* db);

}  // namespace tb::store
