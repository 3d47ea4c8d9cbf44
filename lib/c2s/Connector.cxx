#include "c2s/Connector.hxx"

#include "crypto/Random.hxx"
#include "dns/Error.hxx"
#include "util/Log.hxx"

namespace pigeon::c2s {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr std::string_view kLog = "c2s";
constexpr std::uint16_t kDefaultPort = 5222;

std::string Describe(const Connector::Target& t)
{
    return t.host + ":" + std::to_string(t.port) + (t.direct_tls ? " (direct TLS)" : "");
}

} // namespace

Connector::Connector(asio::io_context& io, ConnectOptions options, Done done)
    : io_(io), options_(std::move(options)), done_(std::move(done)), resolver_(io), timer_(io)
{
    for (const bool direct_tls : {true, false}) {
        const std::string name =
            (direct_tls ? "_xmpps-client._tcp." : "_xmpp-client._tcp.") + options_.domain;
        resolver_.QuerySrv(name, [this, direct_tls](auto records, std::error_code ec) {
            OnSrv(std::move(records), ec, direct_tls);
        });
    }
}

Connector::~Connector() = default;

void Connector::OnSrv(std::vector<dns::SrvRecord> records, std::error_code ec, bool direct_tls)
{
    if (ec && !dns::IsNoRecords(ec))
        log::Debug(kLog, "SRV lookup for " + options_.domain + " failed: " + ec.message());
    for (auto& r : records) {
        if (r.target == "." || r.target.empty()) {
            service_refused_ = true; // RFC 6120 section 3.2.1: decidedly not offered
            continue;
        }
        r.tag = direct_tls;
        records_.push_back(std::move(r));
    }
    if (--srv_pending_ > 0)
        return;
    const auto ordered = dns::OrderSrv(
        std::move(records_), [](std::uint32_t bound) { return crypto::RandomBelow(bound + 1); });
    for (const auto& r : ordered)
        targets_.push_back({r.target, r.port, r.tag});
    if (targets_.empty() && service_refused_) {
        Finish({nullptr, {}, options_.domain + " says it offers no XMPP client service", false});
        return;
    }
    if (targets_.empty())
        targets_.push_back({options_.domain, kDefaultPort, false}); // no SRV: the domain itself
    TryNextTarget();
}

void Connector::TryNextTarget()
{
    if (next_target_ >= targets_.size()) {
        if (!tls_error_.empty())
            Finish({nullptr, {}, tls_error_, true});
        else
            Finish({nullptr,
                    {},
                    "cannot connect to the server of " + options_.domain + ": " + last_error_,
                    false});
        return;
    }
    const Target& target = targets_[next_target_];
    log::Debug(kLog, "trying " + Describe(target));
    resolver_.LookupHost(target.host, target.port, [this](auto endpoints, std::error_code ec) {
        if (ec) {
            last_error_ = targets_[next_target_].host + ": " + ec.message();
            ++next_target_;
            TryNextTarget();
            return;
        }
        endpoints_ = std::move(endpoints);
        next_endpoint_ = 0;
        TryNextEndpoint();
    });
}

void Connector::TryNextEndpoint()
{
    if (next_endpoint_ >= endpoints_.size()) {
        ++next_target_;
        TryNextTarget();
        return;
    }
    const auto endpoint = endpoints_[next_endpoint_];
    socket_ = std::make_unique<tcp::socket>(io_);
    const auto alive = alive_.Watch();
    timer_.expires_after(options_.attempt_timeout);
    timer_.async_wait([this, alive](const boost::system::error_code& ec) {
        if (ec || alive.Gone())
            return;
        last_error_ = "timed out";
        boost::system::error_code ignored;
        if (socket_)
            socket_->close(ignored); // the connect completes with operation_aborted
        if (tls_socket_)
            tls_socket_->Close();
    });
    socket_->async_connect(endpoint, [this, alive](const boost::system::error_code& ec) {
        if (!alive.Gone())
            OnConnected(ec);
    });
}

void Connector::OnConnected(const boost::system::error_code& ec)
{
    const Target& target = targets_[next_target_];
    const auto endpoint = endpoints_[next_endpoint_++];
    if (ec) {
        timer_.cancel();
        if (ec != asio::error::operation_aborted)
            last_error_ = Describe(target) + ": " + ec.message();
        log::Debug(kLog,
                   "connecting to " + endpoint.address().to_string() + " failed: " + last_error_);
        TryNextEndpoint();
        return;
    }
    log::Debug(kLog, "connected to " + Describe(target) + " at " + endpoint.address().to_string());
    // Login is a dozen small exchanges, each written while the last is
    // unacknowledged: Nagle would add a delayed ACK to each.
    boost::system::error_code ignored;
    socket_->set_option(asio::ip::tcp::no_delay(true), ignored);
    if (!target.direct_tls) {
        timer_.cancel();
        Finish({std::make_unique<ssl::Socket>(std::move(*socket_)), target, {}, false});
        return;
    }
    // The direct-TLS handshake, before any XML: STARTTLS without asking.
    tls_socket_ = std::make_unique<ssl::Socket>(std::move(*socket_));
    const auto alive = alive_.Watch();
    try {
        tls_socket_->StartTls(options_.domain, options_.tls,
                              [this, alive](const std::string& error, bool refused) {
                                  if (alive.Gone())
                                      return;
                                  timer_.cancel();
                                  const Target& t = targets_[next_target_];
                                  if (error.empty()) {
                                      Finish({std::move(tls_socket_), t, {}, false});
                                      return;
                                  }
                                  tls_socket_.reset();
                                  (refused ? tls_error_ : last_error_) = Describe(t) + ": " + error;
                                  TryNextEndpoint();
                              });
    } catch (const std::exception& e) {
        Finish({nullptr, target, e.what(), false});
    }
}

void Connector::Finish(Outcome outcome) noexcept
{
    if (!done_)
        return;
    const auto done = std::move(done_);
    done_ = nullptr;
    try {
        done(std::move(outcome)); // may destroy us
    } catch (const std::exception& e) {
        log::Error(kLog, std::string("connection completion failed: ") + e.what());
    }
}

} // namespace pigeon::c2s
