#pragma once
// Why pigeonctl gives up, and with which exit status (pigeonctl(1)): main()
// prints the message on stderr and, with --json, the control protocol's
// error shape on stdout.

#include "control/Json.hxx"

#include <stdexcept>
#include <string>

namespace pigeon::ctl {

enum Exit : int {
    kExitDone = 0,
    kExitRefused = 1,       // pigeond refused, or the request could not be made
    kExitUsage = 2,         // the command line is wrong
    kExitUnavailable = 3,   // pigeond is not running, or went away
    kExitTimeout = 4,       // send --wait: the state was not reached in time
    kExitInterrupted = 130, // send --wait: Ctrl-C (128 + SIGINT, as shells say)
};

class Failure : public std::runtime_error {
public:
    // `code` is the error code of the JSON shape; `extra` members join it.
    Failure(Exit exit, std::string code, const std::string& message,
            control::Json extra = control::Json::object())
        : std::runtime_error(message), exit_(exit), code_(std::move(code)), extra_(std::move(extra))
    {
    }
    Exit ExitStatus() const noexcept { return exit_; }
    const std::string& Code() const noexcept { return code_; }
    const control::Json& Extra() const noexcept { return extra_; }

private:
    Exit exit_;
    std::string code_;
    control::Json extra_;
};

} // namespace pigeon::ctl
