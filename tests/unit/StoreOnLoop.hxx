#pragma once
// A fresh store beside an event loop: what the tests of the link layer's
// parts that read our queue (Handoff, OutboxSigner) start from.

#include "store/Store.hxx"

#include "StoreFixture.hxx"

#include <boost/asio/io_context.hpp>

namespace pigeon::test {

struct StoreOnLoop {
    TempDb temp;
    store::Store store{temp.File()};
    boost::asio::io_context io;
};

} // namespace pigeon::test
