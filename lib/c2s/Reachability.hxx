#pragma once
// Does the XMPP domain's c2s server answer from here, right now? The
// uplink's probe for c2s: find and reach the server as a session would
// (Connector), send a stream header, and wait for the server's. A captive
// portal that takes every TCP connection does not answer with a stream.
// A direct-TLS server whose certificate we refuse did answer: the session
// then reports the refusal.

#include "c2s/Connector.hxx"
#include "c2s/XmlStream.hxx"
#include "util/Alive.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <string>

namespace pigeon::c2s {

class Reachability final : XmlStream::Handler {
public:
    // error is empty when the server answered. Called once, from the loop.
    using Done = std::function<void(const std::string& error)>;

    // Starts at once; gives up after options.attempt_timeout * 2 in all. Throws what
    // Connector throws.
    Reachability(boost::asio::io_context& io, ConnectOptions options, Done done);
    // Cancels: done is not called.
    ~Reachability();

private:
    void OnConnected(Connector::Outcome outcome);
    void OnStreamHeader(const xml::StreamHeader& header) noexcept override;
    void OnStreamElement(xml::Element element) noexcept override;
    void OnStreamEnd(const std::string& reason) noexcept override;
    void Finish(const std::string& error) noexcept;

    boost::asio::io_context& io_;
    std::string domain_;
    Done done_;
    std::unique_ptr<Connector> connector_;
    std::unique_ptr<XmlStream> stream_;
    boost::asio::steady_timer timer_;
    Alive alive_;
};

} // namespace pigeon::c2s
