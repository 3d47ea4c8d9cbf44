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
        Checkpoint();
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
    Checkpoint();
}

void CheckpointTimer::Checkpoint() noexcept
{
    try {
        store_.Checkpoint();
    } catch (const std::exception& e) { // the next commit tries again
        log::Warning("store", std::string("checkpoint: ") + e.what());
    }
}

} // namespace pigeon
