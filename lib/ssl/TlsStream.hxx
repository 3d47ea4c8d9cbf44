#pragma once
// A TLS stream over a connected TCP socket (OpenSSL through Boost.Asio's
// ssl::stream), in one of two kinds:
// - a client for c2s (STARTTLS and direct TLS, XEP-0368): the certificate is
//   checked against the system trust store (plus an extra anchor, for a lab or
//   private CA) and against the XMPP domain, not the host we connected to
//   (RFC 6125, RFC 7590);
// - either side of a link-local stream between pigeons: both show their
//   TlsKey, and the peer's certificate must match the pin it announced.
// OpenSSL stays behind this header.

#include "ssl/TlsKey.hxx"

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace pigeon::ssl {

struct TlsOptions {
    std::string ca_file;   // an extra trust anchor (PEM); empty: the system store only
    bool insecure = false; // accept any certificate (logged every time)
};

class TlsStream {
public:
    // error is empty on success; otherwise certificate_refused tells a certificate we would
    // not accept (error then names why: wrong name, untrusted, expired...) from a handshake
    // that broke.
    using HandshakeDone = std::function<void(const std::string& error, bool certificate_refused)>;
    using IoDone = std::function<void(const boost::system::error_code&, std::size_t)>;

    // domain: the name the certificate must be for (also sent as SNI). Throws
    // std::system_error if OpenSSL cannot set up the context or read ca_file.
    TlsStream(boost::asio::ip::tcp::socket socket, const std::string& domain,
              const TlsOptions& options);
    enum class Side { Client, Server };
    // Between pigeons: `ours` shown to the peer, whose certificate must have `pin`
    // (see TlsKey). Throws std::bad_alloc only.
    TlsStream(boost::asio::ip::tcp::socket socket, const TlsKey& ours, Side side, std::string pin);
    // Closes the socket; pending operations complete with an error (their handlers are
    // called from the loop, so they must check that their owner still exists, and a read's
    // buffer must outlive it).
    ~TlsStream();
    TlsStream(const TlsStream&) = delete;
    TlsStream& operator=(const TlsStream&) = delete;

    void Handshake(HandshakeDone done);
    void ReadSome(boost::asio::mutable_buffer buffer, IoDone done);
    // Writes all of data (kept alive until done). One write at a time.
    void Write(std::shared_ptr<const std::string> data, IoDone done);
    // Closes the socket; pending operations complete with an error.
    void Close() noexcept;

    // After the handshake:
    bool Verified() const noexcept; // the certificate passed every check
    std::string Version() const;    // e.g. "TLSv1.3"
    // The channel binding data (RFC 9266 tls-exporter for TLS 1.3, RFC 5929 tls-unique
    // before), and whether it is the exporter kind; nullopt if OpenSSL gives none.
    struct Binding {
        bool exporter = false;
        std::string data;
    };
    std::optional<Binding> ChannelBinding() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_; // shared with the handlers of pending operations
};

} // namespace pigeon::ssl
