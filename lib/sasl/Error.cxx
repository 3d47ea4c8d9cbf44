#include "sasl/Error.hxx"

#include <gsasl.h>

namespace pigeon::sasl {
namespace {

class Category final : public std::error_category {
public:
    const char* name() const noexcept override { return "gsasl"; }
    std::string message(int rc) const override
    {
        const char* text = gsasl_strerror(rc);
        return text != nullptr ? text : "GNU SASL error " + std::to_string(rc);
    }
};

} // namespace

const std::error_category& GsaslCategory() noexcept
{
    static const Category category;
    return category;
}

std::system_error MakeError(int rc, const std::string& what)
{
    return std::system_error(rc, GsaslCategory(), what);
}

} // namespace pigeon::sasl
