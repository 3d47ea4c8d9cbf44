#pragma once

#include "Config.hxx"
#include "OptionsError.hxx"

#include <string>

namespace pigeon {

struct ParsedOptions {
    DaemonConfig config;
    bool show_help = false;
    bool show_version = false;
    std::string help_text;
};

// Flags first, then the config file (--config, else the XDG default if it
// exists); a flag given on the command line wins over the file. The settings
// are those of Settings.hxx. Throws OptionsError.
ParsedOptions ParseDaemonOptions(int argc, const char* const argv[]);

// The password in `path`, without its line end. A file that others may read
// is refused. Throws OptionsError.
std::string ReadPasswordFile(const std::string& path);

} // namespace pigeon
