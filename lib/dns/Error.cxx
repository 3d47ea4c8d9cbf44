#include "dns/Error.hxx"

#include <ares.h>

namespace pigeon::dns {
namespace {

class Category final : public std::error_category {
public:
    const char* name() const noexcept override { return "c-ares"; }
    std::string message(int status) const override { return ares_strerror(status); }
};

} // namespace

const std::error_category& AresCategory() noexcept
{
    static const Category category;
    return category;
}

bool IsNoRecords(std::error_code code) noexcept
{
    return code.category() == AresCategory() &&
           (code.value() == ARES_ENOTFOUND || code.value() == ARES_ENODATA);
}

} // namespace pigeon::dns
