#include "idn/Stringprep.hxx"

#include "idn/Error.hxx"

#include <idn-free.h>
#include <idna.h>
#include <stringprep.h>

#include <memory>
#include <stdexcept>

namespace pigeon::idn {
namespace {

// What libidn allocates, freed by libidn.
struct IdnFree {
    void operator()(char* p) const noexcept { idn_free(p); }
};
using IdnString = std::unique_ptr<char, IdnFree>;

std::string Terminated(std::string_view text)
{
    if (text.find('\0') != std::string_view::npos)
        throw std::invalid_argument("text contains a NUL byte");
    return std::string(text);
}

std::string Prepare(std::string_view text, const char* profile)
{
    const std::string in = Terminated(text);
    char* out = nullptr;
    const int rc = stringprep_profile(in.c_str(), &out, profile, Stringprep_profile_flags{});
    const IdnString owner(out);
    if (rc == STRINGPREP_MALLOC_ERROR)
        throw std::bad_alloc();
    if (rc != STRINGPREP_OK || out == nullptr)
        throw std::system_error(rc, StringprepCategory(), profile);
    return out;
}

} // namespace

std::string Nodeprep(std::string_view text)
{
    return Prepare(text, "Nodeprep");
}

std::string Nameprep(std::string_view text)
{
    return Prepare(text, "Nameprep");
}

std::string Resourceprep(std::string_view text)
{
    return Prepare(text, "Resourceprep");
}

std::string LabelToAscii(std::string_view label)
{
    const std::string in = Terminated(label);
    char* out = nullptr;
    const int rc = idna_to_ascii_8z(in.c_str(), &out, IDNA_ALLOW_UNASSIGNED);
    const IdnString owner(out);
    if (rc == IDNA_MALLOC_ERROR)
        throw std::bad_alloc();
    if (rc != IDNA_SUCCESS || out == nullptr)
        throw std::system_error(rc, IdnaCategory(), "ToASCII");
    return out;
}

} // namespace pigeon::idn
