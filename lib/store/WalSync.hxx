#pragma once
// Makes the store's deferred commits durable without stalling the loop. A
// carrier commits each batch it takes with Commit::kDeferred: the rows reach
// the write-ahead log file, but COMMIT does not wait for the disk. Its
// answer waits instead, in WhenDurable, for one fdatasync of that file run
// by the kernel (uring::FsyncRing) while the loop parses and commits the
// next batch. One sync covers every commit made before it started, so the
// commits made while it runs share the next one (group commit).
//
// As durable as synchronous=FULL, which is this same sync of the log file,
// made before COMMIT returns; the log stays consistent as in NORMAL.

#include "store/Store.hxx"
#include "util/Alive.hxx"
#include "util/UniqueFd.hxx"

#include <cstdint>
#include <deque>
#include <functional>
#include <system_error>
#include <utility>

namespace pigeon::uring {
class FsyncRing;
}

namespace pigeon::store {

class WalSync {
public:
    // Without a ring (no io_uring on this kernel) each wait syncs inline.
    WalSync(Store& store, uring::FsyncRing* ring) noexcept;
    ~WalSync();
    WalSync(const WalSync&) = delete;
    WalSync& operator=(const WalSync&) = delete;

    // Runs `then` once every deferred commit made so far is on disk: at once
    // if none waits, else from the loop, in the order asked. A failed sync
    // (EIO) throws std::system_error out of the loop: what was committed may
    // not be on disk, and after such a failure Linux may report the next
    // sync as good, so nothing it covers is ever acknowledged.
    void WhenDurable(std::function<void()> then);
    // Syncs started (for the benchmarks and tests).
    std::uint64_t Syncs() const noexcept { return syncs_; }

private:
    void Start();
    void Synced(std::uint64_t upto, std::error_code ec);
    // The log file, opened again if SQLite made a new one.
    int LogFile();

    Store& store_;
    uring::FsyncRing* ring_;
    UniqueFd log_;              // the log file, as LogFile() last checked it
    std::uint64_t durable_ = 0; // deferred commits known to be on disk
    bool syncing_ = false;
    std::uint64_t syncs_ = 0;
    std::deque<std::pair<std::uint64_t, std::function<void()>>> waiting_; // commit count, then
    Alive alive_; // last: gone before anything above
};

} // namespace pigeon::store
