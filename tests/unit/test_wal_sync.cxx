// A carrier's batches committed without waiting for the disk, answered once
// a sync of the write-ahead log covers them (store::WalSync, through
// uring::FsyncRing or inline).

#include "store/WalSync.hxx"
#include "uring/FsyncRing.hxx"

#include "RingOrRefusal.hxx"
#include "StoreOnLoop.hxx"

#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

using namespace pigeon;
using namespace pigeon::store;

namespace {

CarriedItem Copy(const std::string& id)
{
    return {id, "elaine@example.org", "jerry@example.org", "elaine@subway", 1000, 2000, 90000,
            0,  std::string(100, 'x')};
}

void Carry(Store& store, const std::string& id, Commit commit)
{
    const CarriedItem batch[] = {Copy(id)};
    REQUIRE(store.AddCarried(batch, {}, commit) == std::vector<bool>{true});
}

// Runs the loop until `done` or 5 s.
template <typename Done> void RunUntil(boost::asio::io_context& io, Done done)
{
    for (int i = 0; i < 50 && !done(); ++i)
        io.run_one_for(std::chrono::milliseconds(100));
}

} // namespace

TEST_CASE("only deferred commits count, and each counts once")
{
    test::StoreOnLoop s;
    Carry(s.store, "id-1", Commit::kDurable);
    CHECK(s.store.DeferredCommits() == 0);
    Carry(s.store, "id-2", Commit::kDeferred);
    Carry(s.store, "id-3", Commit::kDeferred);
    CHECK(s.store.DeferredCommits() == 2);
    CHECK(s.store.Carrying(3000).size() == 3); // committed, whatever the disk says
    CHECK(s.store.WalPath().filename() == s.temp.File().filename().string() + "-wal");
}

TEST_CASE("with a ring, answers wait for the sync that covers their commit, in order")
{
    test::StoreOnLoop s;
    std::optional<uring::FsyncRing> ring;
    if (!test::OpenRing(s.io, ring))
        return;
    WalSync wal(s.store, &*ring);
    std::vector<int> answered;

    wal.WhenDurable([&] { answered.push_back(0); }); // nothing deferred: at once
    CHECK(answered == std::vector{0});
    CHECK(wal.Syncs() == 0);

    Carry(s.store, "id-1", Commit::kDeferred);
    wal.WhenDurable([&] { answered.push_back(1); });
    Carry(s.store, "id-2", Commit::kDeferred); // while the first sync runs
    wal.WhenDurable([&] { answered.push_back(2); });
    wal.WhenDurable([&] { answered.push_back(3); }); // nothing new: after 2 all the same
    CHECK(answered == std::vector{0});               // none before the loop hears the kernel
    CHECK(wal.Syncs() == 1);                         // one in flight at a time

    RunUntil(s.io, [&] { return answered.size() == 4; });
    CHECK(answered == std::vector{0, 1, 2, 3});
    CHECK(wal.Syncs() == 2); // id-2 came after the first sync started: a second one

    wal.WhenDurable([&] { answered.push_back(4); }); // all on disk: at once
    CHECK(answered.back() == 4);
    CHECK(wal.Syncs() == 2);
}

TEST_CASE("answers for a sync in flight die quietly with the WalSync")
{
    test::StoreOnLoop s;
    std::optional<uring::FsyncRing> ring;
    if (!test::OpenRing(s.io, ring))
        return;
    bool answered = false;
    {
        WalSync wal(s.store, &*ring);
        Carry(s.store, "id-1", Commit::kDeferred);
        wal.WhenDurable([&] { answered = true; });
    }
    s.io.run_for(std::chrono::milliseconds(300));
    CHECK(!answered);
}

TEST_CASE("without a ring, each wait for a deferred commit syncs inline")
{
    test::StoreOnLoop s;
    WalSync wal(s.store, nullptr);
    int answered = 0;
    Carry(s.store, "id-1", Commit::kDeferred);
    wal.WhenDurable([&] { ++answered; });
    CHECK(answered == 1);
    CHECK(wal.Syncs() == 1);
    wal.WhenDurable([&] { ++answered; }); // nothing new
    CHECK(answered == 2);
    CHECK(wal.Syncs() == 1);
}
