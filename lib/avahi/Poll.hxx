#pragma once
// Runs Avahi on our Boost.Asio loop: an AvahiPoll whose watches are
// async_wait()s on the descriptors Avahi hands us and whose timeouts are
// steady_timers. Nothing runs while Avahi has nothing to do.

#include <avahi-common/watch.h>

#include <boost/asio/io_context.hpp>

#include <map>
#include <memory>

namespace pigeon::avahi {

class FdWatcher;

class Poll {
public:
    explicit Poll(boost::asio::io_context& io) noexcept;
    // Avahi must have freed every watch and timeout by now (avahi_client_free does).
    ~Poll();
    Poll(const Poll&) = delete;
    Poll& operator=(const Poll&) = delete;

    const AvahiPoll* Get() const noexcept { return &api_; }

    // Used by the watches; not for callers.
    std::shared_ptr<FdWatcher> Attach(int fd);
    void Detach(int fd) noexcept;
    boost::asio::io_context& Io() const noexcept { return io_; }

private:
    AvahiPoll api_;
    boost::asio::io_context& io_;
    // libdbus puts a read and a write watch on the same socket, and epoll
    // accepts each descriptor once: all watches on one fd share a FdWatcher.
    std::map<int, std::shared_ptr<FdWatcher>> fds_;
};

} // namespace pigeon::avahi
