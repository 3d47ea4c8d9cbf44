#pragma once
// Linux's io_uring (liburing), for the one wait the loop must not sit
// through: an fdatasync. The kernel runs it aside and says it finished
// through an eventfd that the loop watches like any other descriptor, so an
// idle ring costs nothing. Only this file and its .cxx know liburing.

#include "util/Alive.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <system_error>

namespace pigeon::uring {

class FsyncRing {
public:
    using Done = std::function<void(std::error_code)>;

    // Throws std::system_error where this kernel gives us no io_uring (too
    // old, the io_uring_disabled sysctl, a container's seccomp filter).
    explicit FsyncRing(boost::asio::io_context& io);
    ~FsyncRing();
    FsyncRing(const FsyncRing&) = delete;
    FsyncRing& operator=(const FsyncRing&) = delete;

    // Starts fdatasync(fd); `done` runs on the loop with its outcome, unless
    // the ring is destroyed first. `fd` may be closed meanwhile (the request
    // holds the file). Throws std::system_error if it cannot be queued (more
    // than kEntries at once, or the kernel refused it).
    void DataSync(int fd, Done done);

    // Syncs in flight at most.
    static constexpr unsigned kEntries = 8;

private:
    struct Ring; // liburing's struct io_uring, kept out of this header

    void Wait();
    void Reap();

    std::unique_ptr<Ring> ring_;
    boost::asio::posix::stream_descriptor ready_; // the eventfd the kernel signals
    std::map<std::uint64_t, Done> pending_;       // by the id each request carries
    std::uint64_t last_id_ = 0;
    Alive alive_; // last: gone before anything above
};

} // namespace pigeon::uring
