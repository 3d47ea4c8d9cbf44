#pragma once
// What pigeond runs with, after flags and the config file are merged.
// Plain values only: Program_options stays in Options.cxx. Each setting's
// name, default, range and help are in its row in Settings.cxx.

#include "link/LinkManager.hxx"
#include "uplink/Transport.hxx"
#include "util/Log.hxx"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace pigeon {

using link::CarryPolicy;
using link::LinkAccept;
using uplink::Transport;

struct DaemonConfig {
    // Every setting at its default (Settings.cxx); those found at start
    // (directories, name) and those without one are empty.
    DaemonConfig();

    std::filesystem::path data_dir;
    std::filesystem::path runtime_dir;
    log::Level log_level{};
    std::string name; // XEP-0174 user part of our instance name
    int carriers{};   // K: at most this many carriers per message
    int copies{};     // L: each message's copy budget (spray-and-wait)
    int hop_limit{};  // most handoffs on a message's path
    CarryPolicy carry{};
    int ttl_hours{}; // how long a carried message is kept for upload
    std::size_t max_body{};
    std::size_t max_stanza{};
    bool link_local{};                       // announce and talk to neighbours
    bool link_tls{};                         // a TLS key, its pin announced, TLS with pigeons
    int port{};                              // XEP-0174 listener; 0 picks a free one
    std::string account;                     // our account JID, empty if none
    std::string first_name, last_name, nick; // published in TXT only if set
    std::int64_t carry_quota{};              // messages held for others, in all
    std::int64_t carry_bytes{};              // their bytes; 0: from the free disk space
    std::int64_t carry_neighbour_quota{};    // from one neighbour; 0: a quarter of the total
    std::int64_t carry_neighbour_bytes{};
    std::int64_t carry_origin_quota{}; // for one origin; 0: a quarter of the total
    std::int64_t carry_origin_bytes{};
    int link_idle_seconds{};
    int link_identify_seconds{};  // both headers crossed, the peer found, within this
    int link_stanza_seconds{};    // a stanza's grace, plus a second per link_min_rate bytes
    int link_min_rate{};          // bytes per second
    int link_max_streams{};       // all link-local streams (bounded again by the fd limit)
    int link_max_per_address{};   // inbound streams from one address
    std::string link_interfaces;  // "eth0,wlan0"; empty: every one but loopback
    LinkAccept link_accept{};     // which sources an inbound stream may come from
    std::string password_file;    // rewritten by a password change
    std::string password_command; // run once at start for the password
    std::string bosh_url;         // empty: discovered (XEP-0156) from host_meta_url
    std::string host_meta_url;    // empty: https://DOMAIN/.well-known/host-meta
    std::string probe_url;        // empty: the BOSH URL
    Transport transport{};        // c2s, BOSH, or c2s where it gets through
    std::string tls_ca_file;      // an extra trust anchor for c2s TLS
    bool tls_insecure{};          // accept any certificate (c2s)
    int probe_interval_max{};     // seconds
    bool only_pigeons{};
    int custody_wait_seconds{}; // a carrier's word that it uploaded ours holds our send back

    // Not settings of their own:
    std::string password; // read from password-file or password-command
    // The settings file read at start (or the default one, which may not exist
    // yet); `pigeonctl account set` writes the account into it. Empty if none.
    std::filesystem::path config_file;

    std::filesystem::path DatabaseFile() const { return data_dir / "pigeon.db"; }
    std::filesystem::path DiscoveredUrlFile() const { return data_dir / "bosh-url"; }
    // Our end-to-end key pair's seed; losing it makes us a stranger to our contacts.
    std::filesystem::path IdentityFile() const { return data_dir / "identity"; }
    // Our TLS key for streams between pigeons, and its self-signed certificate.
    std::filesystem::path TlsKeyFile() const { return data_dir / "tls-key.pem"; }
    std::filesystem::path TlsCertificateFile() const { return data_dir / "tls-cert.pem"; }
    std::filesystem::path ControlSocket() const { return runtime_dir / "control"; }
};

} // namespace pigeon
