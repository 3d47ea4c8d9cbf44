// Who ended a link-local stream (link/Stream), on loopback: a peer that
// sends its closing tag first gets ours in answer, and the stream says the
// peer closed it; a stream we close says we did, as when a peer leaves our
// request unanswered past its deadline (link/ReplyDeadline).
#include "link/ReplyDeadline.hxx"
#include "link/Stream.hxx"
#include "store/Store.hxx"

#include "LoopbackStream.hxx"
#include "StoreFixture.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace pigeon;
using namespace pigeon::link;

using namespace pigeon::test;

TEST_CASE("a peer's closing tag is answered, and the peer closed the stream")
{
    Link link;
    asio::write(link.peer, asio::buffer(kOpen));
    link.Run();
    REQUIRE(link.owner.headers == 1);
    link.stream->Accept("kramer@kramer", xml::StreamHeader{});
    asio::write(link.peer, asio::buffer(kClose));
    link.Run();
    REQUIRE(link.owner.reason);
    CHECK(*link.owner.reason == "closed by the peer");
    CHECK(link.owner.ending == Stream::Ending::ByPeer);
    CHECK(link.PeerReadsAll().ends_with(kClose)); // ours, in answer
}

TEST_CASE("a stream we close says so, with the error we sent")
{
    Link link;
    asio::write(link.peer, asio::buffer(kOpen));
    link.Run();
    link.stream->Close("policy-violation");
    link.Run();
    REQUIRE(link.owner.reason);
    CHECK(*link.owner.reason == "closed by us: policy-violation");
    CHECK(link.owner.ending == Stream::Ending::ByUs);
    const auto sent = link.PeerReadsAll();
    CHECK(sent.find("policy-violation") != std::string::npos);
    CHECK(sent.ends_with(kClose));
}

TEST_CASE("a peer that hangs up without a closing tag closed the stream too")
{
    Link link;
    asio::write(link.peer, asio::buffer(kOpen));
    link.Run();
    link.peer.shutdown(tcp::socket::shutdown_send);
    link.Run();
    REQUIRE(link.owner.reason);
    CHECK(*link.owner.reason == "peer closed the connection");
    CHECK(link.owner.ending == Stream::Ending::ByPeer);
}

TEST_CASE("a connection reset is a broken stream, not a close")
{
    Link link;
    asio::write(link.peer, asio::buffer(kOpen));
    link.Run();
    link.peer.set_option(tcp::socket::linger(true, 0));
    link.peer.close();
    link.Run();
    REQUIRE(link.owner.reason);
    CHECK(link.owner.ending == Stream::Ending::Broken);
}

// An open stream with a deadline for our request on it.
struct Awaiting : Link {
    test::TempDb temp;
    store::Store store{temp.File()};
    ReplyDeadline deadline;

    explicit Awaiting(std::chrono::milliseconds timeout) : deadline(io, store, timeout)
    {
        asio::write(peer, asio::buffer(kOpen));
        Run();
    }
};

TEST_CASE("a request unanswered past its deadline closes the stream, and the log says why")
{
    Awaiting link(std::chrono::milliseconds(300));
    link.deadline.Arm(*link.stream, "relay");
    link.Run(); // 200 ms: not yet
    CHECK_FALSE(link.owner.reason);
    link.deadline.Arm(*link.stream, "relay"); // another request: the wait starts over
    link.Run();
    CHECK_FALSE(link.owner.reason);
    link.Run();
    REQUIRE(link.owner.reason);
    CHECK(*link.owner.reason == "closed by us: connection-timeout");
    const auto log = link.store.HandshakeLog(10);
    REQUIRE_FALSE(log.empty());
    CHECK(log.back().event == "timeout");
    CHECK(log.back().detail == "no answer to our relay");
}

TEST_CASE("an answered request's deadline does nothing")
{
    Awaiting link(std::chrono::milliseconds(100));
    link.deadline.Arm(*link.stream, "handoff");
    link.deadline.Disarm();
    link.Run();
    CHECK_FALSE(link.owner.reason);
    CHECK(link.stream->IsOpen());
}
