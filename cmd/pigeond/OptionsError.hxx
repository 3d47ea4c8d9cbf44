#pragma once

#include <stdexcept>

namespace pigeon {

// Bad flag, bad config file line or out-of-range value; the message names it.
class OptionsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace pigeon
