#include "CheckpointTimer.hxx"

#include "util/Log.hxx"

namespace pigeon {
namespace {

// Quiet this long after the last commit: the work has ended.
constexpr auto kQuiet = std::chrono::milliseconds(500);
// 16 MiB of 4 KiB pages: about a carrier's 25,000 messages' worth.
constexpr int kMaxWalPages = 4096;

} // namespace

CheckpointTimer::CheckpointTimer(boost::asio::io_context& io, store::Store& store)
    : timer_(io), store_(store)
{
    store_.OnWalCommit([this](int wal_pages) { Committed(wal_pages); });
}

CheckpointTimer::~CheckpointTimer()
{
    store_.OnWalCommit({});
}

void CheckpointTimer::Committed(int wal_pages) noexcept
{
    // Called from inside the commit, as SQLite's own checkpoint is.
    if (wal_pages >= kMaxWalPages) {
        Checkpoint(false); // the log is reused as it is: no regrowing it mid-work
        return;
    }
    last_commit_ = Clock::now();
    if (!armed_)
        Wait(kQuiet);
}

void CheckpointTimer::Wait(Clock::duration delay)
{
    armed_ = true;
    timer_.expires_after(delay);
    timer_.async_wait([this, alive = alive_.Watch()](boost::system::error_code ec) {
        if (!ec && !alive.Gone())
            Fire();
    });
}

void CheckpointTimer::Fire() noexcept
{
    armed_ = false;
    const auto quiet_since = last_commit_ + kQuiet;
    if (Clock::now() < quiet_since) { // one timer, moved along, not one per commit
        Wait(quiet_since - Clock::now());
        return;
    }
    // Quiet: nothing is left in a log file. Space SQLite holds there would
    // otherwise take new rows on a full disk and leave them there, unable
    // to go into the database; and an idle daemon keeps no such file.
    Checkpoint(true);
}

void CheckpointTimer::Checkpoint(bool empty_log) noexcept
{
    try {
        store_.Checkpoint(empty_log);
    } catch (const std::exception& e) { // the next commit tries again
        log::Warning("store", std::string("checkpoint: ") + e.what());
    }
}

} // namespace pigeon
