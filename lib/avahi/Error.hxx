#pragma once
// Avahi error codes as std::system_error, with Avahi's own message
// (avahi_strerror).

#include <string>
#include <system_error>

struct AvahiClient;

namespace pigeon::avahi {

const std::error_category& Category() noexcept;

// The error for Avahi error code `code` (an AVAHI_ERR_* value, negative).
std::system_error MakeError(int code, const std::string& what);

// The error for the client's last failure (avahi_client_errno).
std::system_error MakeError(AvahiClient* client, const std::string& what);

} // namespace pigeon::avahi
