#pragma once

#include <filesystem>
#include <memory>

#include "bot/ports/sla_book.hpp"

namespace tb::store {

// The SLA book in the service's SQLite file (its own tables and connection); calls run on a
// private thread. The next look of each ticket is indexed, so finding the due ones walks only
// them. Throws when the file cannot be opened.
std::unique_ptr<bot::SlaBook> make_sqlite_sla_book(std::filesystem::path const& path);

}  // namespace tb::store
