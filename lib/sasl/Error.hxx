#pragma once
// GNU SASL's return codes as std::error_code, with the library's own
// messages (gsasl_strerror).

#include <string>
#include <system_error>

namespace pigeon::sasl {

const std::error_category& GsaslCategory() noexcept;

// A std::system_error for a GNU SASL return code, what it was doing first.
std::system_error MakeError(int rc, const std::string& what);

} // namespace pigeon::sasl
