#pragma once
// An exclusive flock(2) on the data directory for the daemon's lifetime, so
// that two daemons never write one store.

#include <filesystem>

namespace pigeon {

class DataDirLock {
public:
    // Throws std::system_error if the lock file cannot be opened,
    // std::runtime_error if another process holds the lock.
    explicit DataDirLock(const std::filesystem::path& dir);
    ~DataDirLock();
    DataDirLock(const DataDirLock&) = delete;
    DataDirLock& operator=(const DataDirLock&) = delete;

private:
    int fd_;
};

} // namespace pigeon
