#include "util/DiskSpace.hxx"

#include <sys/statvfs.h>

namespace pigeon {

std::optional<std::int64_t> FreeBytes(const std::filesystem::path& path) noexcept
{
    struct statvfs fs {};
    if (statvfs(path.c_str(), &fs) != 0)
        return std::nullopt;
    return std::int64_t(fs.f_bavail) * std::int64_t(fs.f_frsize);
}

} // namespace pigeon
