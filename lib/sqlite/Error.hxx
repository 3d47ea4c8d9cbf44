#pragma once
// SQLite result codes as std::system_error, with SQLite's own message.

#include <string>
#include <system_error>

struct sqlite3;

namespace pigeon::sqlite {

const std::error_category& Category() noexcept;

// Builds the error for result code `code`, adding the connection's message.
std::system_error MakeError(sqlite3* db, int code, const std::string& what);

// True for SQLITE_FULL: a write found the disk (or the database's page
// limit) full. It was rolled back; the same write may succeed once there is
// room again.
bool IsOutOfSpace(std::error_code code) noexcept;

} // namespace pigeon::sqlite
