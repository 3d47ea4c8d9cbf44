#include "curl/Error.hxx"

namespace pigeon::curl {
namespace {

class EasyErrorCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "curl"; }
    std::string message(int code) const override
    {
        return curl_easy_strerror(static_cast<CURLcode>(code));
    }
};

class MultiErrorCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "curl-multi"; }
    std::string message(int code) const override
    {
        return curl_multi_strerror(static_cast<CURLMcode>(code));
    }
};

} // namespace

const std::error_category& EasyCategory() noexcept
{
    static const EasyErrorCategory category;
    return category;
}

const std::error_category& MultiCategory() noexcept
{
    static const MultiErrorCategory category;
    return category;
}

std::system_error MakeError(CURLcode code, const std::string& what)
{
    return std::system_error(static_cast<int>(code), EasyCategory(), what);
}

std::system_error MakeError(CURLMcode code, const std::string& what)
{
    return std::system_error(static_cast<int>(code), MultiCategory(), what);
}

} // namespace pigeon::curl
