#pragma once
// Moves the store's write-ahead log into the database once the daemon is
// quiet, not in the middle of a handoff: SQLite's own checkpoint, every 1000
// pages, cost a carrier ~8% of its CPU and a stall of a few milliseconds
// every ten batches or so. Past kMaxWalPages it checkpoints at once, so the
// log stays bounded however long the work lasts; idle, it does nothing.

#include "store/Store.hxx"
#include "util/Alive.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

namespace pigeon {

class CheckpointTimer {
public:
    CheckpointTimer(boost::asio::io_context& io, store::Store& store);
    ~CheckpointTimer(); // SQLite checkpoints on its own again
    CheckpointTimer(const CheckpointTimer&) = delete;
    CheckpointTimer& operator=(const CheckpointTimer&) = delete;

private:
    using Clock = std::chrono::steady_clock;

    void Committed(int wal_pages) noexcept;
    void Wait(Clock::duration delay);
    void Fire() noexcept;
    void Checkpoint(bool empty_log) noexcept;

    boost::asio::steady_timer timer_;
    store::Store& store_;
    bool armed_ = false;
    Clock::time_point last_commit_;
    Alive alive_; // last: gone before anything above
};

} // namespace pigeon
