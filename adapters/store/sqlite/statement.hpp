#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace tb::store {

// Opens a connection or throws with SQLite's reason.
inline sqlite3* open(std::filesystem::path const& path) {
    sqlite3* db = nullptr;
    auto const rc = sqlite3_open_v2(path.c_str(), &db,
                                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                    nullptr);
    if (rc != SQLITE_OK) {
        std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        sqlite3_close_v2(db);
        throw std::runtime_error("cannot open SQLite database " + path.string() + ": " + why);
    }
    return db;
}

inline void exec(sqlite3* db, char const* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
        std::string why = error ? error : "unknown error";
        sqlite3_free(error);
        throw std::runtime_error("SQLite: " + why);
    }
}

// A prepared statement, kept for the life of the connection.
class Statement {
public:
    Statement() = default;
    Statement(sqlite3* db, char const* sql) {
        if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
            throw std::runtime_error(std::string{"SQLite prepare: "} + sqlite3_errmsg(db));
        }
    }
    Statement(Statement&& other) noexcept : stmt_{std::exchange(other.stmt_, nullptr)} {}
    Statement& operator=(Statement&& other) noexcept {
        if (this != &other) {
            sqlite3_finalize(stmt_);
            stmt_ = std::exchange(other.stmt_, nullptr);
        }
        return *this;
    }
    ~Statement() { sqlite3_finalize(stmt_); }

    void reset() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }
    void bind(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
    void bind(int i, std::string_view v) {
        sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    }
    void bind(int i, char const* v) { bind(i, std::string_view{v}); }
    void bind(int i, std::string const& v) { bind(i, std::string_view{v}); }
    void bind_blob(int i, std::string_view v) {
        sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    }
    // Without a copy: `v` must stay valid and unchanged until the next reset().
    void bind_static(int i, std::string_view v) {
        sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    }
    void bind_blob_static(int i, std::string_view v) {
        sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    }
    int step() { return sqlite3_step(stmt_); }
    bool done() { return step() == SQLITE_DONE; }
    std::int64_t column_int64(int i) { return sqlite3_column_int64(stmt_, i); }
    std::string column_text(int i) {
        auto const* p = static_cast<char const*>(sqlite3_column_blob(stmt_, i));
        return p ? std::string{p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))} : std::string{};
    }

private:
    sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back unless committed. With prepared BEGIN and COMMIT
// statements (the store's hot path) neither is parsed again per transaction.
class Transaction {
public:
    explicit Transaction(sqlite3* db) : db_{db} {
        began_ = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
    }
    Transaction(sqlite3* db, Statement& begin, Statement& commit) : db_{db}, commit_{&commit} {
        began_ = begin.done();
        begin.reset();
    }
    ~Transaction() {
        if (!began_ || committed_) return;
        // A statement that failed half-way may still be running: stop it before rolling back.
        for (auto* s = sqlite3_next_stmt(db_, nullptr); s != nullptr; s = sqlite3_next_stmt(db_, s)) {
            if (sqlite3_stmt_busy(s)) sqlite3_reset(s);
        }
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    Transaction(Transaction const&) = delete;
    Transaction& operator=(Transaction const&) = delete;
    bool began() const { return began_; }
    bool commit() {
        if (commit_ != nullptr) {
            committed_ = commit_->done();
            commit_->reset();
        } else {
            committed_ = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK;
        }
        return committed_;
    }

private:
    sqlite3* db_;
    Statement* commit_ = nullptr;
    bool began_ = false;
    bool committed_ = false;
};

// Whether an existing table has the column (files written by older versions may lack it).
inline bool has_column(sqlite3* db, char const* table, std::string const& column) {
    Statement query{db, (std::string{"SELECT name FROM pragma_table_info('"} + table + "')").c_str()};
    while (query.step() == SQLITE_ROW) {
        if (query.column_text(0) == column) return true;
    }
    return false;
}

}  // namespace tb::store
