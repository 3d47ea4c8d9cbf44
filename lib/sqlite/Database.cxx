#include "sqlite/Database.hxx"

#include "sqlite/WalBatchingVfs.hxx"

#include <sqlite3.h>

namespace pigeon::sqlite {
namespace {

// pigeond uses SQLite from its one loop thread only: no locks around every
// allocation and page (dozens a stored row), no memory statistics. This
// must come before SQLite's first use; later, it fails and changes nothing.
void ConfigureOnce() noexcept
{
    static const bool configured = [] {
        sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        return true;
    }();
    (void)configured;
}

} // namespace

Database::Database(const std::filesystem::path& path) : db_(nullptr)
{
    ConfigureOnce();
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, WalBatchingVfs::Name());
    if (rc != SQLITE_OK) {
        auto error = MakeError(db_, rc, "cannot open " + path.string());
        sqlite3_close(db_);
        throw error;
    }
    sqlite3_extended_result_codes(db_, 1);
}

Database::~Database()
{
    // Statements are finalised by their owners first; v2 defers if one is left.
    sqlite3_close_v2(db_);
}

void Database::Exec(const char* sql)
{
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        std::string text = message != nullptr ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        throw std::system_error(rc, Category(), text);
    }
}

Statement Database::Prepare(std::string_view sql)
{
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), int(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &stmt, nullptr);
    if (rc != SQLITE_OK)
        throw MakeError(db_, rc, "cannot prepare \"" + std::string(sql) + "\"");
    return Statement(db_, stmt);
}

int Database::UserVersion()
{
    auto s = Prepare("PRAGMA user_version");
    if (!s.Step())
        throw MakeError(db_, SQLITE_ERROR, "PRAGMA user_version returned nothing");
    return int(s.Int(0));
}

std::int64_t Database::LastInsertRowId() const noexcept
{
    return sqlite3_last_insert_rowid(db_);
}

int Database::Changes() const noexcept
{
    return sqlite3_changes(db_);
}

void Database::OnWalCommit(std::function<void(int pages)> hook)
{
    if (!hook) {
        on_wal_commit_.reset();
        sqlite3_wal_autocheckpoint(db_, 1000); // SQLite's own hook again
        return;
    }
    on_wal_commit_ = std::make_unique<std::function<void(int)>>(std::move(hook));
    sqlite3_wal_hook(
        db_,
        [](void* hook, sqlite3*, const char*, int pages) {
            (*static_cast<std::function<void(int)>*>(hook))(pages);
            return SQLITE_OK;
        },
        on_wal_commit_.get());
}

void Database::Checkpoint(bool empty_log)
{
    int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc == SQLITE_OK && empty_log) {
        // TRUNCATE would wait for other readers through the busy handler:
        // not from the loop. Without it, a reader makes it give up at once.
        auto timeout = Prepare("PRAGMA busy_timeout");
        const int busy_ms = timeout.Step() ? int(timeout.Int(0)) : 0;
        sqlite3_busy_timeout(db_, 0);
        rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
        sqlite3_busy_timeout(db_, busy_ms);
        if (rc == SQLITE_BUSY)
            rc = SQLITE_OK; // the log stays, to be reused
    }
    if (rc != SQLITE_OK)
        throw MakeError(db_, rc, "checkpoint failed");
}

Statement::~Statement()
{
    sqlite3_finalize(stmt_);
}

bool Statement::Step()
{
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    throw MakeError(db_, rc, "SQL statement failed");
}

void Statement::Run()
{
    if (Step())
        throw MakeError(db_, SQLITE_MISUSE, "statement returned rows where none were expected");
}

void Statement::Reset() noexcept
{
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::Int(int column) const noexcept
{
    return sqlite3_column_int64(stmt_, column);
}

std::string Statement::Text(int column) const
{
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return text != nullptr ? std::string(text, std::size_t(sqlite3_column_bytes(stmt_, column)))
                           : std::string();
}

bool Statement::IsNull(int column) const noexcept
{
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

void Statement::BindOne(int index, std::int64_t value, bool /*borrowed*/)
{
    if (const int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK)
        throw MakeError(db_, rc, "cannot bind parameter");
}

void Statement::BindOne(int index, std::string_view value, bool borrowed)
{
    if (const int rc =
            sqlite3_bind_text64(stmt_, index, value.data(), value.size(),
                                borrowed ? SQLITE_STATIC : SQLITE_TRANSIENT, SQLITE_UTF8);
        rc != SQLITE_OK)
        throw MakeError(db_, rc, "cannot bind parameter");
}

void Statement::BindOne(int index, std::nullptr_t, bool /*borrowed*/)
{
    if (const int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK)
        throw MakeError(db_, rc, "cannot bind parameter");
}

Transaction::Transaction(Database& db) : db_(db)
{
    db_.Exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction()
{
    if (open_)
        sqlite3_exec(db_.Get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::Commit()
{
    db_.Exec("COMMIT");
    open_ = false;
}

} // namespace pigeon::sqlite
