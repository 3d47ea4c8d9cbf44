#include "sqlite/Error.hxx"

#include <sqlite3.h>

namespace pigeon::sqlite {
namespace {

class SqliteCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "sqlite"; }
    std::string message(int code) const override { return sqlite3_errstr(code); }
};

} // namespace

const std::error_category& Category() noexcept
{
    static const SqliteCategory category;
    return category;
}

std::system_error MakeError(sqlite3* db, int code, const std::string& what)
{
    std::string text = what;
    if (db != nullptr) {
        text += ": ";
        text += sqlite3_errmsg(db);
    }
    return std::system_error(code, Category(), text);
}

bool IsOutOfSpace(std::error_code code) noexcept
{
    // Extended result codes are on: the primary code is the low byte.
    return code.category() == Category() && (code.value() & 0xff) == SQLITE_FULL;
}

} // namespace pigeon::sqlite
