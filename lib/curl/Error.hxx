#pragma once
// libcurl's result codes as std::system_error, with curl's own message.

#include <curl/curl.h>

#include <string>
#include <system_error>

namespace pigeon::curl {

// CURLcode values, described by curl_easy_strerror.
const std::error_category& EasyCategory() noexcept;
// CURLMcode values, described by curl_multi_strerror.
const std::error_category& MultiCategory() noexcept;

inline std::error_code MakeErrorCode(CURLcode code) noexcept
{
    return {static_cast<int>(code), EasyCategory()};
}

std::system_error MakeError(CURLcode code, const std::string& what);
std::system_error MakeError(CURLMcode code, const std::string& what);

} // namespace pigeon::curl
