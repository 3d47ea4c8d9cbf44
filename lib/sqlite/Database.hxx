#pragma once
// One open SQLite connection and the prepared statements that belong to it.

#include "sqlite/Error.hxx"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

struct sqlite3;
struct sqlite3_stmt;

namespace pigeon::sqlite {

class Statement;

class Database {
public:
    // Opens (creating if needed) the file. Throws std::system_error.
    explicit Database(const std::filesystem::path& path);
    ~Database();
    Database(Database&& other) noexcept
        : db_(std::exchange(other.db_, nullptr)), on_wal_commit_(std::move(other.on_wal_commit_))
    {
    }
    Database& operator=(Database&&) = delete;

    // Runs one or more statements that return no rows. Throws std::system_error.
    void Exec(const char* sql);
    // Prepares a statement kept for the life of the connection. Throws std::system_error.
    Statement Prepare(std::string_view sql);
    // PRAGMA user_version, the schema's version. Throws std::system_error.
    int UserVersion();
    std::int64_t LastInsertRowId() const noexcept;
    int Changes() const noexcept;

    // Called after each commit with the pages now in the write-ahead log,
    // instead of SQLite's own checkpoint every 1000 pages; an empty one
    // brings that back.
    void OnWalCommit(std::function<void(int pages)> hook);
    // Copies what it can of the write-ahead log into the database, without
    // waiting for readers (PASSIVE). With `empty_log`, then also truncates
    // the log to nothing if no reader is in the way, else leaves it as it
    // is. Throws std::system_error.
    void Checkpoint(bool empty_log = false);

    sqlite3* Get() const noexcept { return db_; }

private:
    sqlite3* db_;
    std::unique_ptr<std::function<void(int)>> on_wal_commit_; // where SQLite's hook points
};

// A prepared statement. Bind() then Step() repeatedly; Reset() (or a
// ScopedReset) makes it ready for the next use.
class Statement {
public:
    Statement(sqlite3* db, sqlite3_stmt* stmt) noexcept : db_(db), stmt_(stmt) {}
    ~Statement();
    Statement(Statement&& other) noexcept
        : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr))
    {
    }
    Statement& operator=(Statement&&) = delete;

    // Binds parameters 1..N in order; SQLite keeps its own copy of each
    // text. Throws std::system_error.
    template <typename... Args> void Bind(const Args&... args)
    {
        [[maybe_unused]] int index = 1;
        (BindOne(index++, args, false), ...);
    }
    // As Bind, but SQLite reads each text where it is, uncopied, until the
    // statement is reset: the caller keeps every argument alive until then
    // (the store's helpers, which bind, step and reset in one call).
    template <typename... Args> void BindBorrowed(const Args&... args)
    {
        [[maybe_unused]] int index = 1;
        (BindOne(index++, args, true), ...);
    }

    // True while a row is available. Throws std::system_error.
    bool Step();
    // Steps a statement that must not return rows. Throws std::system_error.
    void Run();
    void Reset() noexcept;

    std::int64_t Int(int column) const noexcept;
    std::string Text(int column) const;
    bool IsNull(int column) const noexcept;

private:
    void BindOne(int index, std::int64_t value, bool borrowed);
    void BindOne(int index, int value, bool borrowed)
    {
        BindOne(index, std::int64_t{value}, borrowed);
    }
    void BindOne(int index, std::string_view value, bool borrowed);
    void BindOne(int index, const std::string& value, bool borrowed)
    {
        BindOne(index, std::string_view(value), borrowed);
    }
    void BindOne(int index, const char* value, bool borrowed)
    {
        BindOne(index, std::string_view(value), borrowed);
    }
    void BindOne(int index, std::nullptr_t, bool borrowed);

    sqlite3* db_;
    sqlite3_stmt* stmt_;
};

// Resets a statement when the scope ends, whatever way it ends.
class ScopedReset {
public:
    explicit ScopedReset(Statement& s) noexcept : s_(s) {}
    ~ScopedReset() { s_.Reset(); }
    ScopedReset(const ScopedReset&) = delete;
    ScopedReset& operator=(const ScopedReset&) = delete;

private:
    Statement& s_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if the scope is left without Commit().
class Transaction {
public:
    // Throws std::system_error.
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    // Durable once this returns (given synchronous=FULL). Throws std::system_error.
    void Commit();

private:
    Database& db_;
    bool open_ = true;
};

} // namespace pigeon::sqlite
