#pragma once
// What pigeond runs with, after flags and the config file are merged.
// Plain values only: Program_options stays in Options.cxx.

#include "util/Log.hxx"

#include <cstddef>
#include <filesystem>
#include <string>

namespace pigeon {

enum class CarryPolicy { On, Off, Contacts };

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

    std::filesystem::path DatabaseFile() const { return data_dir / "pigeon.db"; }
    std::filesystem::path ControlSocket() const { return runtime_dir / "control"; }
};

} // namespace pigeon
