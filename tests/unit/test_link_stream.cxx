// Who ended a link-local stream (link/Stream), on loopback: a peer that
// sends its closing tag first gets ours in answer, and the stream says the
// peer closed it; a stream we close says we did, as when a peer leaves our
// request unanswered past its deadline (link/ReplyDeadline).
#include "link/ReplyDeadline.hxx"
#include "link/Stream.hxx"
#include "store/Store.hxx"

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

namespace {

const std::string kOpen = "<stream:stream xmlns='jabber:client' "
                          "xmlns:stream='http://etherx.jabber.org/streams' "
                          "from='elaine@elaine' to='kramer@kramer' version='1.0'>";
const std::string kClose = "</stream:stream>";

struct Owner final : StreamOwner {
    void OnStreamHeader(Stream&, const xml::StreamHeader&) noexcept override { ++headers; }
    void OnStanza(Stream&, const xml::Element&) noexcept override {}
    void OnStreamClosed(Stream& stream, const std::string& why) noexcept override
    {
        reason = why;
        ending = stream.GetEnding();
    }
    int headers = 0;
    std::optional<std::string> reason;
    Stream::Ending ending = Stream::Ending::Broken;
};

// Our stream (responder) on one end of a loopback connection, a raw socket
// playing the peer on the other.
struct Link {
    asio::io_context io;
    tcp::socket peer{io};
    Owner owner;
    Alive alive;
    std::shared_ptr<Stream> stream;

    Link()
    {
        tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
        peer.connect(acceptor.local_endpoint());
        stream = std::make_shared<Stream>(acceptor.accept(), Stream::Role::Responder, owner,
                                          alive.Watch(), StreamSettings{});
        stream->Start("kramer@kramer", {});
    }
    void Run()
    {
        io.restart();
        io.run_for(std::chrono::milliseconds(200));
    }
    // Everything the peer has been sent until we shut the connection.
    std::string PeerReadsAll()
    {
        std::string text;
        boost::system::error_code ec;
        asio::read(peer, asio::dynamic_buffer(text), ec);
        CHECK(ec == asio::error::eof);
        return text;
    }
};

} // namespace

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
