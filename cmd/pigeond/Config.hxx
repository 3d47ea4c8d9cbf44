#pragma once
// What pigeond runs with, after flags and the config file are merged.
// Plain values only: Program_options stays in Options.cxx.

#include "link/LinkManager.hxx"
#include "util/Log.hxx"

#include <cstddef>
#include <filesystem>
#include <string>

namespace pigeon {

using link::CarryPolicy;

struct DaemonConfig {
    std::filesystem::path data_dir;
    std::filesystem::path runtime_dir;
    log::Level log_level = log::Level::Info;
    std::string name;        // XEP-0174 user part of our instance name
    int carriers = 5;        // K: at most this many carriers per message
    CarryPolicy carry = CarryPolicy::On;
    int ttl_hours = 168;     // how long a carried message is kept for upload
    std::size_t max_body = 64 * 1024;
    std::size_t max_stanza = 256 * 1024;
    bool link_local = true;  // announce and talk to neighbours
    int port = 5298;         // XEP-0174 listener; 0 picks a free one
    std::string account;     // our account JID, empty if none
    std::string first_name, last_name, nick; // published in TXT only if set
    std::int64_t carry_quota = 100000;
    int link_idle_seconds = 60;
    std::string password;    // read from password-file or password-command
    std::string password_file; // rewritten by a password change
    std::string bosh_url;      // empty: discovered (XEP-0156) from host_meta_url
    std::string host_meta_url; // empty: https://DOMAIN/.well-known/host-meta
    std::string probe_url;   // empty: the BOSH URL
    bool only_pigeons = false;
    int probe_interval_max = 300; // seconds

    // The settings file read at start (or the default one, which may not exist
    // yet); `pigeonctl account set` writes the account into it. Empty if none.
    std::filesystem::path config_file;

    std::filesystem::path DatabaseFile() const { return data_dir / "pigeon.db"; }
    std::filesystem::path DiscoveredUrlFile() const { return data_dir / "bosh-url"; }
    // Our end-to-end key pair's seed; losing it makes us a stranger to our contacts.
    std::filesystem::path IdentityFile() const { return data_dir / "identity"; }
    std::filesystem::path ControlSocket() const { return runtime_dir / "control"; }
};

} // namespace pigeon
