#include "store/WalSync.hxx"

#include "uring/FsyncRing.hxx"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

namespace pigeon::store {
namespace {

std::system_error Failure(const char* what, const std::filesystem::path& path)
{
    return {errno, std::generic_category(), std::string(what) + " " + path.string()};
}

UniqueFd OpenOrThrow(const std::filesystem::path& path, int flags)
{
    UniqueFd fd(open(path.c_str(), flags | O_CLOEXEC));
    if (!fd.IsOpen())
        throw Failure("cannot open", path);
    return fd;
}

} // namespace

WalSync::WalSync(Store& store, uring::FsyncRing* ring) noexcept : store_(store), ring_(ring)
{
}

WalSync::~WalSync() = default; // a sync in flight holds the file itself

void WalSync::WhenDurable(std::function<void()> then)
{
    const auto target = store_.DeferredCommits();
    if (target <= durable_ && waiting_.empty()) {
        then();
        return;
    }
    if (ring_ == nullptr) {
        if (fdatasync(LogFile()) != 0)
            throw Failure("cannot sync", store_.WalPath());
        ++syncs_;
        durable_ = target;
        then();
        return;
    }
    waiting_.emplace_back(target, std::move(then));
    if (syncing_)
        return; // the next sync starts when this one ends
    try {
        Start();
    } catch (...) {
        waiting_.pop_back(); // the caller hears it instead
        throw;
    }
}

void WalSync::Start()
{
    const auto upto = store_.DeferredCommits();
    ring_->DataSync(LogFile(), [this, upto, alive = alive_.Watch()](std::error_code ec) {
        if (!alive.Gone())
            Synced(upto, ec);
    });
    syncing_ = true;
    ++syncs_;
}

void WalSync::Synced(std::uint64_t upto, std::error_code ec)
{
    syncing_ = false;
    if (ec)
        throw std::system_error(ec, "cannot sync " + store_.WalPath().string());
    durable_ = std::max(durable_, upto);
    const auto alive = alive_.Watch();
    while (!waiting_.empty() && waiting_.front().first <= durable_) {
        auto then = std::move(waiting_.front().second);
        waiting_.pop_front();
        then();
        if (alive.Gone())
            return;
    }
    if (!waiting_.empty() && !syncing_) // committed while this sync ran
        Start();
}

int WalSync::LogFile()
{
    // SQLite keeps one log file while the database is open (a checkpoint
    // truncates it, it is not removed), but check: syncing a file it no
    // longer writes would acknowledge what is not on disk.
    const auto path = store_.WalPath();
    struct stat now {};
    if (stat(path.c_str(), &now) != 0)
        throw Failure("cannot find", path);
    struct stat held {};
    if (log_.IsOpen() && fstat(log_.Get(), &held) == 0 && held.st_dev == now.st_dev &&
        held.st_ino == now.st_ino)
        return log_.Get();
    log_ = UniqueFd();
    auto log = OpenOrThrow(path, O_RDONLY);
    // A new log file's name must be on disk too, once.
    const auto dir =
        OpenOrThrow(path.parent_path().empty() ? "." : path.parent_path(), O_RDONLY | O_DIRECTORY);
    if (fsync(dir.Get()) != 0)
        throw Failure("cannot sync the directory of", path);
    log_ = std::move(log);
    return log_.Get();
}

} // namespace pigeon::store
