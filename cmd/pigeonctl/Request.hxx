#pragma once
// Turns pigeonctl's command line into a control request, as control::kCommands
// says: which row the words name and where each argument comes from.

#include "control/Json.hxx"

#include <boost/program_options/variables_map.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace pigeon::ctl {

// The command line is wrong: pigeonctl exits 2 and points at --help.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Invocation {
    std::size_t command; // its row in control::kCommands
    control::Json request;
};

// The request that `first` and the words after it ask for, with the values of
// the options in `options`; reads standard input where the command says so.
// Throws UsageError for an unknown command, wrong words, or missing input.
Invocation MakeRequest(const std::string& first, const std::vector<std::string>& words,
                       const boost::program_options::variables_map& options);

} // namespace pigeon::ctl
