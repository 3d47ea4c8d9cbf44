// Our TLS key for streams between pigeons: made once and kept, its pin, and
// the pinned handshake both ways (over loopback).
#include "TempDir.hxx"
#include "ssl/TlsKey.hxx"
#include "ssl/TlsStream.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>
#include <sstream>

using namespace pigeon;
using boost::asio::ip::tcp;

namespace {

ssl::TlsKey KeyIn(const std::filesystem::path& dir)
{
    return ssl::TlsKey::LoadOrCreate(dir / "tls-key.pem", dir / "tls-cert.pem");
}

std::string Read(const std::filesystem::path& file)
{
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

struct Outcome {
    bool done = false;
    std::string error;
    bool refused = false;
};

// A handshake between a client showing `client_key` and expecting `server_pin`, and a server
// showing `server_key` and expecting `client_pin`.
std::pair<Outcome, Outcome> Handshake(const ssl::TlsKey& client_key, const std::string& server_pin,
                                      const ssl::TlsKey& server_key, const std::string& client_pin)
{
    boost::asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
    tcp::socket client_socket(io);
    client_socket.connect(acceptor.local_endpoint());
    tcp::socket server_socket = acceptor.accept();
    ssl::TlsStream client(std::move(client_socket), client_key, ssl::TlsStream::Side::Client,
                          server_pin);
    ssl::TlsStream server(std::move(server_socket), server_key, ssl::TlsStream::Side::Server,
                          client_pin);
    Outcome at_client, at_server;
    auto record = [](Outcome& outcome, ssl::TlsStream& own) {
        return [&outcome, &own](const std::string& error, bool refused) {
            outcome = {true, error, refused};
            if (!error.empty())
                own.Close(); // as a link stream does: the other side sees the end
        };
    };
    client.Handshake(record(at_client, client));
    server.Handshake(record(at_server, server));
    io.run_for(std::chrono::seconds(10));
    return {at_client, at_server};
}

} // namespace

TEST_CASE("the TLS key is made once, kept private, and its pin stays")
{
    test::TempDir a, b;
    const auto first = KeyIn(a.dir);
    CHECK(ssl::IsPin(first.Pin()));
    struct stat info {};
    REQUIRE(::stat((a.dir / "tls-key.pem").c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    CHECK(KeyIn(a.dir).Pin() == first.Pin());
    CHECK(ssl::PinOfCertificate(Read(a.dir / "tls-cert.pem")) == first.Pin());
    CHECK(KeyIn(b.dir).Pin() != first.Pin());
}

TEST_CASE("a key without its certificate, or a certificate of another key, is refused")
{
    test::TempDir a, b;
    KeyIn(a.dir);
    KeyIn(b.dir);
    std::filesystem::remove(a.dir / "tls-cert.pem");
    CHECK_THROWS_WITH_AS(KeyIn(a.dir), doctest::Contains("tls-cert.pem is missing"),
                         std::runtime_error);
    std::filesystem::copy_file(b.dir / "tls-cert.pem", a.dir / "tls-cert.pem");
    CHECK_THROWS_WITH_AS(KeyIn(a.dir), doctest::Contains("does not match"), std::runtime_error);
}

TEST_CASE("pins have one form")
{
    CHECK(ssl::IsPin(std::string(64, 'a')));
    CHECK_FALSE(ssl::IsPin(std::string(64, 'A')));
    CHECK_FALSE(ssl::IsPin(std::string(63, 'a')));
    CHECK_FALSE(ssl::IsPin(std::string(64, 'g')));
    CHECK_THROWS_AS(ssl::PinOfCertificate("not a certificate"), std::runtime_error);
}

TEST_CASE("both sides check the other's certificate against its pin")
{
    test::TempDir a, b, c;
    const auto kramer = KeyIn(a.dir), elaine = KeyIn(b.dir), stranger = KeyIn(c.dir);

    SUBCASE("matching pins: both sides go on")
    {
        const auto [client, server] = Handshake(elaine, kramer.Pin(), kramer, elaine.Pin());
        CHECK(client.done);
        CHECK(client.error == "");
        CHECK(server.done);
        CHECK(server.error == "");
    }
    SUBCASE("the server is not the key its pin names: the client refuses")
    {
        const auto [client, server] = Handshake(elaine, kramer.Pin(), stranger, elaine.Pin());
        CHECK(client.refused);
        CHECK(client.error.find("is not the one it announces") != std::string::npos);
    }
    SUBCASE("the client is not the key its pin names: the server refuses")
    {
        const auto [client, server] = Handshake(stranger, kramer.Pin(), kramer, elaine.Pin());
        CHECK(server.refused);
        CHECK(server.error.find("is not the one it announces") != std::string::npos);
    }
}
