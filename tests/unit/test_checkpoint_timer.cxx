// The checkpoint timer: the store's write-ahead log goes into the database
// once the daemon is quiet, at once past 16 MiB, and by SQLite itself again
// without the timer. What is checkpointed shows in the database file's size.

#include "CheckpointTimer.hxx"
#include "store/Store.hxx"

#include "TempDir.hxx"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

using namespace pigeon;

namespace {

constexpr std::uintmax_t kMiB = 1 << 20;

struct Fixture {
    test::TempDir dir{"pigeon-checkpoint-timer"};
    std::filesystem::path path = dir.dir / "pigeon.db";
    store::Store store{path};
    boost::asio::io_context io;

    // Queues `mib` MiB of messages, a commit each.
    void Queue(int mib)
    {
        const std::string body(64 * 1024, 'x');
        const UnixMs now = NowMs();
        for (int i = 0; i < mib * 16; ++i)
            store.Enqueue("jerry@example.org", body, now, now + 60'000);
    }
    std::uintmax_t DatabaseSize() const { return std::filesystem::file_size(path); }
    // What went into the database file since it opened (the schema's page
    // or so aside).
    std::uintmax_t Checkpointed() const { return DatabaseSize() - opened_at; }
    const std::uintmax_t opened_at = DatabaseSize();
    void RunFor(int ms)
    {
        io.restart();
        io.run_for(std::chrono::milliseconds(ms));
    }
};

} // namespace

TEST_CASE("the log goes into the database once the daemon is quiet, not every 1000 pages")
{
    Fixture f;
    CheckpointTimer timer(f.io, f.store);
    f.Queue(3); // over 1000 pages, with the text index: SQLite alone would have checkpointed
    CHECK(f.Checkpointed() == 0);
    f.RunFor(100); // the last commit was just now
    CHECK(f.Checkpointed() == 0);
    f.RunFor(800);
    CHECK(f.Checkpointed() > 3 * kMiB);
    // No log file left to hold space: on a full disk, a commit cannot take
    // room the log already had and then never reach the database.
    CHECK(std::filesystem::file_size(f.path.string() + "-wal") == 0);
    f.io.restart();
    CHECK(f.io.run() == 0); // and then nothing is left to wake for
}

TEST_CASE("past 16 MiB of log it checkpoints at once, with no wait for quiet")
{
    Fixture f;
    CheckpointTimer timer(f.io, f.store);
    f.Queue(20);
    CHECK(f.Checkpointed() > 14 * kMiB);
}

TEST_CASE("without the timer, SQLite checkpoints by itself again")
{
    Fixture f;
    std::make_unique<CheckpointTimer>(f.io, f.store).reset();
    f.Queue(6);
    CHECK(f.Checkpointed() > 3 * kMiB);
}
