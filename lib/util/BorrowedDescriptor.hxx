#pragma once
// A descriptor that a C library (curl, c-ares) owns and asks the loop to watch.
// Asio waits on it, but it stays the library's: Release (and the destructor)
// hand it back without closing it, cancelling pending waits.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace pigeon::util {

class BorrowedDescriptor : public boost::asio::posix::stream_descriptor {
public:
    BorrowedDescriptor(boost::asio::io_context& io, int fd)
        : boost::asio::posix::stream_descriptor(io, fd)
    {
    }
    ~BorrowedDescriptor() { Release(); }
    BorrowedDescriptor(const BorrowedDescriptor&) = delete;
    BorrowedDescriptor& operator=(const BorrowedDescriptor&) = delete;

    void Release() noexcept
    {
        try {
            if (is_open())
                release();
        } catch (...) {
            // Deregistration does not fail in practice; the fd stays the library's either way.
        }
    }
};

} // namespace pigeon::util
