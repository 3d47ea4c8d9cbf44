// A TLS stream dropped while its handshake runs: what the c2s probe does
// when a route change restarts it mid-handshake, and what a connector does
// on its timeout. The handshake's pending step must still find its stream
// (OpenSSL's state included) when it completes. Dropped at every step of a
// real handshake; a freed SSL shows under MALLOC_PERTURB_ (which meson sets)
// or ASan (scripts/test runs the unit suite under it).
#include "TempDir.hxx"
#include "ssl/TlsKey.hxx"
#include "ssl/TlsStream.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>

using namespace pigeon;
using boost::asio::ip::tcp;

namespace {

struct Ends {
    int calls = 0;
    std::string error;
};

// Runs a pinned handshake for `steps` handlers, then drops the client. Whether the
// client's handshake had finished by then.
bool DropClientAfter(int steps, const ssl::TlsKey& key, Ends& client_end)
{
    boost::asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
    tcp::socket client_socket(io);
    client_socket.connect(acceptor.local_endpoint());
    auto client = std::make_unique<ssl::TlsStream>(std::move(client_socket), key,
                                                   ssl::TlsStream::Side::Client, key.Pin());
    ssl::TlsStream server(acceptor.accept(), key, ssl::TlsStream::Side::Server, key.Pin());
    client->Handshake([&client_end](const std::string& e, bool) {
        ++client_end.calls;
        client_end.error = e;
    });
    server.Handshake([](const std::string&, bool) {});
    for (int i = 0; i < steps && client_end.calls == 0; ++i)
        io.run_one_for(std::chrono::seconds(5));
    const bool finished = client_end.calls > 0;
    client.reset();
    server.Close();
    io.run_for(std::chrono::seconds(5));
    return finished;
}

} // namespace

TEST_CASE("a TLS stream dropped at any step of its handshake ends it once, with an error")
{
    test::TempDir dir;
    const auto key = ssl::TlsKey::LoadOrCreate(dir.dir / "key.pem", dir.dir / "cert.pem");
    for (int steps = 0;; ++steps) {
        CAPTURE(steps);
        Ends client_end;
        const bool finished = DropClientAfter(steps, key, client_end);
        CHECK(client_end.calls == 1);
        if (finished) {
            CHECK(client_end.error.empty()); // the handshake itself works
            break;
        }
        CHECK_FALSE(client_end.error.empty());
        REQUIRE(steps < 100);
    }
}
