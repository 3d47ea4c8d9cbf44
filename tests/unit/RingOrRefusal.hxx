#pragma once
// An io_uring for the tests of what waits on one, where the kernel gives
// one: where it does not, the test checks that the kernel forbids it (the
// daemon then syncs inline) and goes no further.

#include "uring/FsyncRing.hxx"

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

#include <fstream>
#include <optional>
#include <system_error>

namespace pigeon::test {

// What the kernel says of io_uring: 0 allows it to all.
inline bool KernelAllowsIoUring()
{
    std::ifstream file("/proc/sys/kernel/io_uring_disabled");
    int disabled = 0;
    return !(file >> disabled) || disabled == 0;
}

// Opens `ring`; false if it cannot, having checked that it may not.
inline bool OpenRing(boost::asio::io_context& io, std::optional<uring::FsyncRing>& ring)
{
    try {
        ring.emplace(io);
        return true;
    } catch (const std::system_error& e) {
        CHECK_MESSAGE(!KernelAllowsIoUring(), e.what());
        return false;
    }
}

} // namespace pigeon::test
