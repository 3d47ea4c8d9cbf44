#pragma once
// One CURL easy handle, owned. Used inside lib/curl; the rest of pigeon goes
// through Request.

#include "curl/Error.hxx"

#include <curl/curl.h>

#include <new>
#include <string>
#include <utility>

namespace pigeon::curl {

class Easy {
public:
    // Throws std::bad_alloc if curl cannot create a handle.
    Easy() : handle_(curl_easy_init())
    {
        if (handle_ == nullptr)
            throw std::bad_alloc{};
    }

    ~Easy()
    {
        if (handle_ != nullptr)
            curl_easy_cleanup(handle_);
    }

    Easy(Easy&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
    Easy& operator=(Easy&& other) noexcept
    {
        std::swap(handle_, other.handle_);
        return *this;
    }

    CURL* Get() const noexcept { return handle_; }

    // value must have the type curl documents for the option (long, not int, for numbers).
    // Throws std::system_error naming the option when curl refuses it.
    template <typename T> void SetOption(CURLoption option, T value)
    {
        const CURLcode code = curl_easy_setopt(handle_, option, value);
        if (code != CURLE_OK)
            throw MakeError(code, "curl_easy_setopt(" + std::to_string(option) + ")");
    }

    // Never throws; returns fallback when curl has no such information.
    template <typename T> T GetInfo(CURLINFO info, T fallback = {}) const noexcept
    {
        T value{};
        return curl_easy_getinfo(handle_, info, &value) == CURLE_OK ? value : fallback;
    }

private:
    CURL* handle_;
};

} // namespace pigeon::curl
