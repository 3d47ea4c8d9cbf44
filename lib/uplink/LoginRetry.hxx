#pragma once
// After the server refused our credentials, log in again: on a slow timer
// that doubles (the server may be at fault: often enough to notice a fix
// made there, rarely enough not to look like password guessing), and at once
// when the password file changes (the user may fix it). The file is watched
// only while we are refused, so that an idle daemon does not wake for the
// other files of its directory.

#include "util/Alive.hxx"
#include "util/FileWatcher.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>

namespace pigeon::uplink {

class LoginRetry {
public:
    // Called from the loop with why it is time to try again. Must not throw.
    using Retry = std::function<void(const char* why)>;

    // An empty `password_file` is not watched.
    LoginRetry(boost::asio::io_context& io, std::filesystem::path password_file, Retry retry);

    // The server refused us: retry after the current delay (doubled for the
    // time after) or when the password file changes, whichever comes first.
    void Schedule() noexcept;
    // A retry is under way: no timer until the next refusal.
    void Cancel() noexcept;
    // Logged in: the next refusal starts over with the first delay.
    void Reset() noexcept;

private:
    boost::asio::io_context& io_;
    boost::asio::steady_timer timer_;
    std::chrono::seconds delay_;
    std::filesystem::path password_file_;
    std::unique_ptr<FileWatcher> watch_;
    Retry retry_;
    Alive alive_;
};

} // namespace pigeon::uplink
