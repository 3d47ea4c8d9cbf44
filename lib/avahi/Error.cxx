#include "avahi/Error.hxx"

#include <avahi-client/client.h>
#include <avahi-common/error.h>

namespace pigeon::avahi {
namespace {

class AvahiCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "avahi"; }
    std::string message(int code) const override { return avahi_strerror(code); }
};

} // namespace

const std::error_category& Category() noexcept
{
    static const AvahiCategory category;
    return category;
}

std::system_error MakeError(int code, const std::string& what)
{
    return std::system_error(code, Category(), what);
}

std::system_error MakeError(AvahiClient* client, const std::string& what)
{
    return MakeError(client != nullptr ? avahi_client_errno(client) : AVAHI_ERR_FAILURE, what);
}

} // namespace pigeon::avahi
