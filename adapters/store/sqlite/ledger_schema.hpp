#pragma once

#include <sqlite3.h>

namespace tb::store {

// Creates the ledger's tables if missing and adds columns that newer versions need to a file
// written by an older one. Throws std::runtime_error on failure.
void ensure_ledger_schema(sqlite3* db);

}  // namespace tb::store
