// sqlite::WalBatchingVfs, under every sqlite::Database: a transaction's log
// frames reach the file in a few writes, each commit before it returns (as
// another connection, on SQLite's own VFS, sees), a read in a transaction
// sees the frames it spilled, a commit that cannot be written fails, and a
// rolled-back transaction's frames never land on another connection's.

#include "sqlite/Database.hxx"

#include "TempDir.hxx"

#include <doctest/doctest.h>

#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <fstream>
#include <string>

using namespace pigeon;

namespace {

// Write calls this process made so far (the kernel's count).
std::int64_t WriteCalls()
{
    std::ifstream io("/proc/self/io");
    std::string key;
    std::int64_t value = 0;
    while (io >> key >> value)
        if (key == "syscw:")
            return value;
    FAIL("no syscw in /proc/self/io");
    return 0;
}

sqlite::Database OpenLog(const std::filesystem::path& path)
{
    sqlite::Database db(path);
    db.Exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
            "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    return db;
}

void Insert(sqlite::Database& db, int rows, int bytes)
{
    auto insert = db.Prepare("INSERT INTO t (body) VALUES (?)");
    const std::string body(std::size_t(bytes), 'x');
    for (int i = 0; i < rows; ++i) {
        insert.Bind(body);
        insert.Run();
        insert.Reset();
    }
}

// Rows and their bytes, and the integrity check, read through SQLite's own
// VFS on a connection of its own.
struct Seen {
    std::int64_t rows = -1;
    std::int64_t bytes = -1;
    std::string integrity;
};

Seen SeenElsewhere(const std::filesystem::path& path)
{
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    Seen seen;
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*), total(length(body)) FROM t", -1, &s, nullptr) ==
            SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        seen.rows = sqlite3_column_int64(s, 0);
        seen.bytes = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        seen.integrity = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return seen;
}

// What another connection, on SQLite's own VFS, finds: `rows` rows, in a
// database that passes its integrity check.
void CheckElsewhere(const std::filesystem::path& path, std::int64_t rows)
{
    const auto seen = SeenElsewhere(path);
    CHECK(seen.rows == rows);
    CHECK(seen.integrity == "ok");
}

struct Fixture {
    test::TempDir dir{"pigeon-wal-batching"};
    std::filesystem::path path = dir.dir / "t.db";
};

} // namespace

TEST_CASE("a transaction's log frames go out in a few writes, and are in the file once it commits")
{
    const Fixture f;
    const auto& path = f.path;
    auto db = OpenLog(path);
    const auto before = WriteCalls();
    {
        sqlite::Transaction transaction(db);
        Insert(db, 50, 3000); // ~40 pages: ~80 writes, a header and a page each, without it
        transaction.Commit();
    }
    const auto writes = WriteCalls() - before;
    MESSAGE("write calls for the transaction: " << writes);
    CHECK(writes <= 4);                    // ~170 KiB: two writes of at most 120 KiB
    const auto seen = SeenElsewhere(path); // ours still open, nothing closed or synced
    CHECK(seen.rows == 50);
    CHECK(seen.bytes == 50 * 3000);
    CHECK(seen.integrity == "ok");
}

TEST_CASE("a read in a transaction sees the frames it spilled to the log")
{
    const Fixture f;
    const auto& path = f.path;
    auto db = OpenLog(path);
    db.Exec("PRAGMA cache_size = 10"); // pages: the transaction spills, then reads back
    {
        sqlite::Transaction transaction(db);
        Insert(db, 500, 1000);
        auto count = db.Prepare("SELECT count(*), total(length(body)) FROM t");
        REQUIRE(count.Step());
        CHECK(count.Int(0) == 500);
        CHECK(count.Int(1) == 500 * 1000);
        transaction.Commit();
    }
    CheckElsewhere(path, 500);
}

TEST_CASE("a commit whose frames cannot be written fails, and none of it is kept")
{
    const Fixture f;
    const auto& path = f.path;
    {
        auto db = OpenLog(path);
        Insert(db, 1, 100);
    } // closed: the log is in the database, and gone
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // The log may not grow past 64 KiB; the write past it fails (EFBIG).
        std::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{64 * 1024, 64 * 1024};
        int status = 2;
        if (setrlimit(RLIMIT_FSIZE, &limit) == 0) {
            try {
                auto db = OpenLog(path);
                sqlite::Transaction transaction(db);
                Insert(db, 100, 4000); // ~400 KiB, all held in the cache until the commit
                transaction.Commit();
                status = 1; // committed what the file cannot hold
            } catch (const std::system_error&) {
                status = 0;
            }
        }
        _exit(status);
    }
    int status = -1;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CheckElsewhere(path, 1);
}

TEST_CASE("frames a rolled-back transaction spilled never overwrite another connection's commit")
{
    const Fixture f;
    const auto& path = f.path;
    auto a = OpenLog(path);
    auto b = OpenLog(path);
    Insert(b, 1, 100);
    b.Checkpoint(true);               // an empty log: a's transaction reads nothing from it
    a.Exec("PRAGMA cache_size = 10"); // pages: a's transaction spills frames to the log
    {
        sqlite::Transaction transaction(a);
        Insert(a, 200, 1000);
    } // rolled back: what it spilled lies past the log's end
    {
        sqlite::Transaction transaction(b);
        Insert(b, 20, 1000); // written where a's spilled frames were
        transaction.Commit();
    }
    auto count = a.Prepare("SELECT count(*) FROM t"); // a reads b's frames in the log
    REQUIRE(count.Step());
    CHECK(count.Int(0) == 21);
    count.Reset();
    CheckElsewhere(path, 21);
}
