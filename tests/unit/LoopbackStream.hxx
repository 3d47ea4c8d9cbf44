#pragma once
// What the link's unit tests share: our stream (responder) on one end of a
// loopback connection, a raw socket playing the peer on the other.

#include "link/Stream.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace pigeon::test {

namespace asio = boost::asio;
using asio::ip::tcp;
using link::Stream;
using link::StreamOwner;
using link::StreamSettings;

inline const std::string kOpen = "<stream:stream xmlns='jabber:client' "
                                 "xmlns:stream='http://etherx.jabber.org/streams' "
                                 "from='elaine@elaine' to='kramer@kramer' version='1.0'>";
inline const std::string kClose = "</stream:stream>";

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

} // namespace pigeon::test
