#include "tests/integration/service_fixture.hpp"

#include <sqlite3.h>

#include <nlohmann/json.hpp>

namespace tb::testing {

std::string reaction_event(std::string const& event_id, std::string const& ts) {
    nlohmann::json body{
        {"token", "x"}, {"team_id", "T0001"}, {"api_app_id", "A0001"}, {"type", "event_callback"},
        {"event_id", event_id}, {"event_time", unix_now()},
        {"event", {{"type", "reaction_added"}, {"user", "U0AGENT1"}, {"reaction", "eyes"},
                   {"item_user", "U0PARTNER"},
                   {"item", {{"type", "message"}, {"channel", "C0PARTNER"}, {"ts", ts}}},
                   {"event_ts", ts}}}};
    return body.dump();
}

std::int64_t count_rows(std::filesystem::path const& db, std::string const& sql) {
    sqlite3* handle = nullptr;
    REQUIRE(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
    std::int64_t n = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(handle);
    return n;
}

}  // namespace tb::testing
