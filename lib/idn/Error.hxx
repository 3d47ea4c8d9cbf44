#pragma once
// libidn's return codes as std::error_code, with the library's own messages:
// one category for its stringprep profiles, one for IDNA (RFC 3490).

#include <string>
#include <system_error>

namespace pigeon::idn {

const std::error_category& StringprepCategory() noexcept;
const std::error_category& IdnaCategory() noexcept;

} // namespace pigeon::idn
