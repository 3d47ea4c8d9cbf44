#pragma once
// A c-ares channel joined to the daemon's one Asio loop: c-ares tells us
// which sockets to watch (its socket state callback) and how long it may
// wait (ares_timeout); readiness and expiry go back through ares_process_fd.
// No thread, no polling; with no query running there is no socket and no
// timer. The servers come from /etc/resolv.conf, read when the Resolver is
// made: make a new one to see a changed network.

#include "dns/SrvOrder.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace pigeon::dns {

class Resolver {
public:
    // Called from the loop, once, never from within the call that asked. An empty result comes with
    // an error (dns::IsNoRecords tells "no such records" from "could not ask").
    using SrvDone = std::function<void(std::vector<SrvRecord>, std::error_code)>;
    using HostDone =
        std::function<void(std::vector<boost::asio::ip::tcp::endpoint>, std::error_code)>;

    // Throws std::system_error (AresCategory) if c-ares cannot be set up (e.g. no memory).
    explicit Resolver(boost::asio::io_context& io);
    // Cancels what is running: its callbacks are never called.
    ~Resolver();
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    // The SRV records of name (e.g. "_xmpp-client._tcp.example.org"), as DNS lists them.
    void QuerySrv(const std::string& name, SrvDone done);

    // The IPv6 and IPv4 addresses of host (and /etc/hosts), each with port.
    void LookupHost(const std::string& host, std::uint16_t port, HostDone done);

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace pigeon::dns
