#pragma once
// What a listening socket does when accept() fails, instead of trying again
// at once (which spins: the connection stays queued and the socket stays
// readable). Out of descriptors (EMFILE, ENFILE) it lets go of the one
// descriptor the process keeps in reserve, takes the oldest queued
// connection with it and closes it, and takes the reserve back; then, as for
// any other failure, it waits before accepting again: 50 ms, doubling up to
// 2 s, back to 50 ms after an accept succeeds.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <functional>

namespace pigeon {

class AcceptBackoff {
public:
    // Takes the process's reserve descriptor if nobody has yet. Does not throw
    // but for std::bad_alloc; without a reserve it still waits.
    explicit AcceptBackoff(const boost::asio::any_io_executor& executor);
    AcceptBackoff(const AcceptBackoff&) = delete;
    AcceptBackoff& operator=(const AcceptBackoff&) = delete;

    // accept() on `listener` (its descriptor) failed with `ec`: `resume`
    // runs, from the loop, once it is time to accept again (not if this is
    // destroyed or Cancel()led first). Returns the wait, for the log.
    std::chrono::milliseconds Failed(const boost::system::error_code& ec, int listener,
                                     std::function<void()> resume);
    void Succeeded() noexcept { delay_ = kFirst; }
    void Cancel() noexcept;

    // Whether `ec` says the process (or system) is out of descriptors.
    static bool OutOfDescriptors(const boost::system::error_code& ec) noexcept;
    // The process's descriptor limit (RLIMIT_NOFILE, soft), for caps that
    // must stay under it; a large number when unlimited.
    static std::size_t DescriptorLimit() noexcept;

private:
    static constexpr std::chrono::milliseconds kFirst{50};
    static constexpr std::chrono::milliseconds kLongest{2000};

    boost::asio::steady_timer timer_;
    std::chrono::milliseconds delay_ = kFirst;
};

} // namespace pigeon
