#pragma once
// The byte pipe under an XMPP stream: a TCP socket, plain until STARTTLS
// moves it under TLS, or under TLS from the start (c2s, XEP-0368 direct TLS).
// c2s and the link-local streams between pigeons both run on it.

#include "ssl/TlsStream.hxx"

#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <optional>
#include <string>

namespace pigeon::ssl {

class Socket {
public:
    using IoDone = ssl::TlsStream::IoDone;

    explicit Socket(boost::asio::ip::tcp::socket plain);
    explicit Socket(std::unique_ptr<ssl::TlsStream> tls);
    ~Socket();
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    // As ssl::TlsStream's: handlers come from the loop, possibly after the Socket is gone.
    void ReadSome(boost::asio::mutable_buffer buffer, IoDone done);
    void Write(std::shared_ptr<const std::string> data, IoDone done);

    // Moves the plain socket under TLS (nothing may be reading or writing). Throws
    // std::logic_error if it is under TLS already, what the TlsStream constructor throws.
    void StartTls(const std::string& domain, const ssl::TlsOptions& options,
                  ssl::TlsStream::HandshakeDone done);
    // The same between pigeons (see TlsStream): `ours` shown, the peer's checked against `pin`.
    void StartTls(const TlsKey& ours, TlsStream::Side side, const std::string& pin,
                  TlsStream::HandshakeDone done);

    // Null while plain.
    const ssl::TlsStream* Tls() const noexcept { return tls_.get(); }

    void Close() noexcept;

private:
    std::optional<boost::asio::ip::tcp::socket> plain_;
    std::unique_ptr<ssl::TlsStream> tls_;
};

} // namespace pigeon::ssl
