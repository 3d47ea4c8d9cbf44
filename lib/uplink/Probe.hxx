#pragma once
// Is the XMPP server reachable right now, and how? Over c2s (transport c2s
// or auto), the server found through DNS must answer a stream header
// (c2s::Reachability). Over BOSH (transport bosh, or auto when c2s does not
// get through), a probe POSTs a BOSH request for a session that does not
// exist; only a real BOSH endpoint answers it with a <body type='terminate'/>
// in the httpbind namespace. Anything else (a captive portal's page, a proxy
// error, a timeout) means offline.
// It probes at start, on demand (kernel address/route change), and otherwise
// on a timer that backs off with jitter while nothing changes.
// While the BOSH URL is unknown, each probe first fetches the host-meta
// document (XEP-0156) instead: a server that names its BOSH endpoint there is
// reachable, and the endpoint it names is then probed at once.

#include "c2s/Connector.hxx"
#include "uplink/Transport.hxx"
#include "util/Time.hxx"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace pigeon::curl {
class Multi;
class Request;
} // namespace pigeon::curl

namespace pigeon::c2s {
class Reachability;
}

namespace pigeon::uplink {

struct ProbeConfig {
    Transport transport = Transport::Bosh;
    c2s::ConnectOptions c2s;   // the domain (and TLS options) for c2s
    std::string url;           // where to probe BOSH; empty: the BOSH URL once discovered
    std::string host_meta_url; // non-empty: the BOSH URL is still to be discovered here
    std::chrono::seconds min_interval{5};
    std::chrono::seconds max_interval{300};
    std::chrono::seconds timeout{10};
};

class Probe {
public:
    // Called on every change of state, and with online=true again after each
    // successful probe while online (so an owner can retry its session).
    using Listener = std::function<void(bool online)>;
    // Called once, with the BOSH URL the host-meta named, before it is probed.
    using Discovered = std::function<void(const std::string& bosh_url)>;

    Probe(curl::Multi& multi, ProbeConfig config, Listener listener, Discovered discovered = {});
    ~Probe();
    Probe(const Probe&) = delete;
    Probe& operator=(const Probe&) = delete;

    // Probes now (a probe already running is left to finish).
    void Check() noexcept;
    // Probes now, dropping a probe already running: what it found may no longer hold
    // (the kernel's addresses or routes changed under it), and a probe that
    // began as a link went down waits out its timeout for a SYN sent into it.
    // The changes of a burst come in two calls (RouteWatcher), the second once
    // the burst is over. While changes never stop, every second call lets the
    // probe it finds finish, and probes again at once after it.
    void Restart() noexcept;

    bool Online() const noexcept { return online_; }
    // The transport that answered the last successful probe (C2s or Bosh).
    Transport Via() const noexcept { return via_; }
    UnixMs Since() const noexcept { return since_; }
    UnixMs LastProbe() const noexcept { return last_probe_; }
    const std::string& LastResult() const noexcept { return last_result_; }
    // The last host-meta fetch reached a server but got no answer naming a usable BOSH URL
    // (so the network works, the discovery does not).
    bool DiscoveryFailed() const noexcept { return discovery_failed_; }

private:
    void ProbeC2s();
    void OnC2s(const std::string& error) noexcept;
    void ProbeBosh() noexcept;
    void Discover();
    void OnHostMeta(long status, const std::string& body, const std::string& error,
                    bool sent) noexcept;
    void OnResponse(long status, const std::string& body, const std::string& error) noexcept;
    // `now`: at once (a Restart came while the last probe ran), else after interval_.
    void ScheduleNext(bool now = false) noexcept;

    curl::Multi& multi_;
    ProbeConfig config_;
    Listener listener_;
    Discovered discovered_;
    boost::asio::steady_timer timer_;
    std::unique_ptr<curl::Request> request_;
    std::unique_ptr<c2s::Reachability> reachability_;
    std::string c2s_problem_; // this round's, in auto mode
    Transport via_ = Transport::Bosh;
    std::chrono::seconds interval_;
    bool online_ = false;
    UnixMs since_ = NowMs();
    UnixMs last_probe_ = 0;
    std::string last_result_ = "not probed yet";
    bool discovery_failed_ = false;
    bool restarted_ = false;   // the running probe was started by Restart
    bool dropped_one_ = false; // ... which dropped one a Restart had started
    bool recheck_ = false;     // a Restart came while it ran: probe again after it
};

} // namespace pigeon::uplink
