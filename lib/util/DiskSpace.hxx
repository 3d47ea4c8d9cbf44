#pragma once
// How much room is left where a path lives (statvfs), for limits that
// scale with the disk.

#include <cstdint>
#include <filesystem>
#include <optional>

namespace pigeon {

// Bytes an unprivileged writer may still use on the filesystem holding
// `path`; nullopt if it cannot be asked. Never throws.
std::optional<std::int64_t> FreeBytes(const std::filesystem::path& path) noexcept;

} // namespace pigeon
