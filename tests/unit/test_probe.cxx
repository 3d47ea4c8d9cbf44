// When a route change restarts the uplink probe (Probe::Restart): against a
// BOSH endpoint on loopback that holds each request until told to answer,
// counting the connections the probes open.
#include "curl/Multi.hxx"
#include "uplink/Probe.hxx"

#include <doctest/doctest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// Accepts every connection and keeps it open, unanswered, until Answer().
class HeldEndpoint {
public:
    explicit HeldEndpoint(asio::io_context& io)
        : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0))
    {
        Accept();
    }

    std::string Url() const
    {
        return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) +
               "/http-bind";
    }
    std::size_t Connections() const { return sockets_.size(); }

    // The newest connection gets what a BOSH server says of an unknown session.
    void Answer()
    {
        static const std::string body = "<body type='terminate' condition='item-not-found' "
                                        "xmlns='http://jabber.org/protocol/httpbind'/>";
        static const std::string response = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                                            "Connection: close\r\nContent-Length: " +
                                            std::to_string(body.size()) + "\r\n\r\n" + body;
        asio::write(*sockets_.back(), asio::buffer(response));
        sockets_.back()->shutdown(tcp::socket::shutdown_send);
    }

private:
    void Accept()
    {
        acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
            if (ec)
                return;
            sockets_.push_back(std::make_unique<tcp::socket>(std::move(socket)));
            Accept();
        });
    }

    tcp::acceptor acceptor_;
    std::vector<std::unique_ptr<tcp::socket>> sockets_;
};

// Runs the loop until `done` or 5 s have passed; whether `done` came true.
template <typename Done> bool RunUntil(asio::io_context& io, Done done)
{
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    while (!done() && std::chrono::steady_clock::now() < give_up) {
        io.restart();
        io.run_for(5ms);
    }
    return done();
}

void RunFor(asio::io_context& io, std::chrono::milliseconds how_long)
{
    io.restart();
    io.run_for(how_long);
}

} // namespace

TEST_CASE("route changes drop a probe that may be stuck, but let every second one finish")
{
    // Loopback only: no proxy from the environment.
    setenv("no_proxy", "*", 1);
    setenv("NO_PROXY", "*", 1);
    asio::io_context io;
    pigeon::curl::Multi multi(io);
    HeldEndpoint endpoint(io);
    pigeon::uplink::ProbeConfig config;
    config.transport = pigeon::uplink::Transport::Bosh;
    config.url = endpoint.Url();
    std::vector<bool> heard;
    pigeon::uplink::Probe probe(multi, config, [&](bool online) { heard.push_back(online); });

    // The first probe, from the start, is held by the endpoint.
    REQUIRE(RunUntil(io, [&] { return endpoint.Connections() == 1; }));
    // A burst's first call drops it (the route it took may be gone) ...
    probe.Restart();
    REQUIRE(RunUntil(io, [&] { return endpoint.Connections() == 2; }));
    // ... and so does the call at the burst's end: the first call's probe
    // began before the burst was over (a SYN into a link going down waits
    // out the whole timeout).
    probe.Restart();
    REQUIRE(RunUntil(io, [&] { return endpoint.Connections() == 3; }));
    // Changes that go on: the probe running now is left to finish, or no
    // probe would ever answer while they last.
    probe.Restart();
    probe.Restart();
    RunFor(io, 200ms);
    CHECK(endpoint.Connections() == 3);
    CHECK(heard.empty());

    // It answers: online; and one more probe at once, for the changes that
    // came while it ran.
    endpoint.Answer();
    REQUIRE(RunUntil(io, [&] { return !heard.empty(); }));
    CHECK(heard == std::vector<bool>{true});
    CHECK(probe.Online());
    CHECK(RunUntil(io, [&] { return endpoint.Connections() == 4; }));
}
