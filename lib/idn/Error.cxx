#include "idn/Error.hxx"

#include <idna.h>
#include <stringprep.h>

namespace pigeon::idn {
namespace {

class Stringprep final : public std::error_category {
public:
    const char* name() const noexcept override { return "stringprep"; }
    std::string message(int rc) const override
    {
        const char* text = stringprep_strerror(static_cast<Stringprep_rc>(rc));
        return text != nullptr ? text : "stringprep error " + std::to_string(rc);
    }
};

class Idna final : public std::error_category {
public:
    const char* name() const noexcept override { return "idna"; }
    std::string message(int rc) const override
    {
        const char* text = idna_strerror(static_cast<Idna_rc>(rc));
        return text != nullptr ? text : "IDNA error " + std::to_string(rc);
    }
};

} // namespace

const std::error_category& StringprepCategory() noexcept
{
    static const Stringprep category;
    return category;
}

const std::error_category& IdnaCategory() noexcept
{
    static const Idna category;
    return category;
}

} // namespace pigeon::idn
