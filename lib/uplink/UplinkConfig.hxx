#pragma once
// What the uplink is told (UplinkConfig) and what it tells (UplinkStatus):
// plain records, apart so that each part of the uplink can take them.

#include "ssl/TlsStream.hxx"
#include "uplink/Probe.hxx"
#include "uplink/Transport.hxx"
#include "util/Time.hxx"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace pigeon {
class EventBus;
}
namespace pigeon::crypto {
class Identity;
}

namespace pigeon::uplink {

struct UplinkConfig {
    std::string account; // bare JID
    std::string password;
    Transport transport = Transport::Auto;
    ssl::TlsOptions tls;  // for c2s
    std::string bosh_url; // empty: discovered from host_meta_url (XEP-0156)
    std::string host_meta_url;
    // Where a discovered BOSH URL is kept, so that a start without signal knows it.
    std::filesystem::path discovered_url_file;
    ProbeConfig probe;         // url defaults to bosh_url
    bool only_pigeons = false; // never send our own messages to the server directly
    // How long a carrier's report that it uploaded one of our messages holds
    // our own send back, waiting for the recipient's receipt.
    UnixMs custody_wait = 3600 * 1000;
    bool watch_routes = true; // probe at once on kernel address/route changes
    // After the server refused our credentials: reads the password again
    // (password-file or password-command) before the next try; unset keeps
    // `password`. May throw std::runtime_error.
    std::function<std::string()> reread_password;
    // Watched while the server refuses us: fixing the file retries at once.
    std::filesystem::path password_file;
    // Signs nothing here, but opens what is sealed to us and is published for
    // others to check our signatures. Required; must outlive the Uplink.
    const crypto::Identity* identity = nullptr;
    // Hears what happens through the server (sends, uploads, what we
    // receive, the session); may be null. Must outlive the Uplink.
    EventBus* events = nullptr;
    // We learnt, with proof, that something was delivered (a verified
    // delivery tombstone, issue 11): the link passes it on. May be empty.
    std::function<void()> on_tombstone;
    // A key arrived (new or confirmed by its server): the link judges the
    // TLS pins signed for `jid` again. May be empty; must not throw.
    std::function<void(const std::string& jid)> on_key;
    // The accounts whose keys the link waits for (signed TLS pins), asked
    // for on each login with our contacts'. May be empty.
    std::function<std::vector<std::string>()> link_wants_keys;
};

struct UplinkStatus {
    bool online = false; // the probe's verdict
    UnixMs since = 0;
    UnixMs last_probe = 0;
    std::string last_result;
    std::string session;       // discovering, offline, connecting, online, auth-failed, tls-failed
    std::string session_error; // why the last session ended or failed; empty if none
    std::string transport;     // c2s or bosh: that of the session (or the last one); empty before
    std::string connection;    // how the c2s session was set up (TLS, SASL, XEP-0198)
    bool tls_insecure = false; // tls-insecure is set: certificates are not checked
    // Why we are not online, if we know: none, no-uplink, discovery-failed, auth-failed,
    // tls-failed.
    std::string problem;
    std::string jid;
    std::string bosh_url;        // empty while undiscovered
    std::string bosh_url_source; // configured, discovered, or empty
    std::string host_meta_url;   // where it is (or was) discovered; empty if configured
    bool key_published = false;  // our server holds our public key (this session)
};

} // namespace pigeon::uplink
