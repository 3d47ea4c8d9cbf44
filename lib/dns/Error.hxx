#pragma once
// c-ares status codes as std::error_code, with c-ares's own messages
// (ares_strerror).

#include <string>
#include <system_error>

namespace pigeon::dns {

const std::error_category& AresCategory() noexcept;

inline std::error_code MakeErrorCode(int status) noexcept
{
    return {status, AresCategory()};
}

// True for "the name has no such records" (NXDOMAIN or an empty answer), as opposed to a
// resolver that could not be asked.
bool IsNoRecords(std::error_code code) noexcept;

} // namespace pigeon::dns
