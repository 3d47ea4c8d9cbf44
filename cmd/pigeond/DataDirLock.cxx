#include "DataDirLock.hxx"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace pigeon {

DataDirLock::DataDirLock(const std::filesystem::path& dir)
    : fd_(open((dir / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600))
{
    if (fd_ < 0)
        throw std::system_error(errno, std::generic_category(),
                                "cannot open " + (dir / "lock").string());
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        close(fd_);
        throw std::runtime_error("another pigeond is already using " + dir.string());
    }
}

DataDirLock::~DataDirLock()
{
    close(fd_);
}

} // namespace pigeon
