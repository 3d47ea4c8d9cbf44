#pragma once
// Finds and reaches the c2s server of an XMPP domain: the SRV records of
// _xmpps-client._tcp (direct TLS, XEP-0368) and _xmpp-client._tcp (STARTTLS),
// merged in RFC 2782 order, else DOMAIN:5222 (RFC 6120 section 3.2); then
// each target's addresses, one TCP connection attempt at a time, with TLS
// at once for a direct-TLS target. The first that works wins.

#include "dns/Resolver.hxx"
#include "ssl/Socket.hxx"
#include "ssl/TlsStream.hxx"
#include "util/Alive.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pigeon::c2s {

struct ConnectOptions {
    std::string domain; // the XMPP domain: what DNS is asked about and the certificate names
    ssl::TlsOptions tls;
    std::chrono::seconds attempt_timeout{10}; // per TCP connection (and TLS handshake)
};

class Connector {
public:
    struct Target {
        std::string host;
        std::uint16_t port = 0;
        bool direct_tls = false;
    };
    // On success socket is set (under TLS for a direct-TLS target) and error empty. On
    // failure error says what the last attempt met; tls_refused: a server answered but its
    // certificate was refused (and no other worked).
    struct Outcome {
        std::unique_ptr<ssl::Socket> socket;
        Target target;
        std::string error;
        bool tls_refused = false;
    };
    using Done = std::function<void(Outcome)>;

    // Starts at once; done is called once, from the loop. Throws what dns::Resolver throws.
    Connector(boost::asio::io_context& io, ConnectOptions options, Done done);
    // Cancels: done is not called.
    ~Connector();
    Connector(const Connector&) = delete;
    Connector& operator=(const Connector&) = delete;

private:
    void OnSrv(std::vector<dns::SrvRecord> records, std::error_code ec, bool direct_tls);
    void TryNextTarget();
    void TryNextEndpoint();
    void OnConnected(const boost::system::error_code& ec);
    void Finish(Outcome outcome) noexcept;

    boost::asio::io_context& io_;
    ConnectOptions options_;
    Done done_;
    dns::Resolver resolver_;
    int srv_pending_ = 2;
    std::vector<dns::SrvRecord> records_;
    bool service_refused_ = false; // an SRV record said "." (no service here)
    std::vector<Target> targets_;
    std::size_t next_target_ = 0;
    std::vector<boost::asio::ip::tcp::endpoint> endpoints_;
    std::size_t next_endpoint_ = 0;
    std::unique_ptr<boost::asio::ip::tcp::socket> socket_;
    std::unique_ptr<ssl::Socket> tls_socket_; // during a direct-TLS handshake
    boost::asio::steady_timer timer_;
    std::string last_error_;
    std::string tls_error_;
    Alive alive_;
};

} // namespace pigeon::c2s
