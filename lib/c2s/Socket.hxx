#pragma once
// The byte pipe under a c2s stream: a TCP socket, plain until STARTTLS
// moves it under TLS, or under TLS from the start (XEP-0368 direct TLS).

#include "ssl/TlsStream.hxx"

#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <optional>
#include <string>

namespace pigeon::c2s {

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

    // Null while plain.
    const ssl::TlsStream* Tls() const noexcept { return tls_.get(); }

    void Close() noexcept;

private:
    std::optional<boost::asio::ip::tcp::socket> plain_;
    std::unique_ptr<ssl::TlsStream> tls_;
};

} // namespace pigeon::c2s
