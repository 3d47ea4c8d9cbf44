#pragma once
// Default locations from the XDG Base Directory specification. Shared by the
// daemon and the CLI so that both agree without configuration.

#include <filesystem>

namespace pigeon::xdg {

// $XDG_DATA_HOME/pigeon, else ~/.local/share/pigeon. Throws std::runtime_error
// when neither the variable nor HOME is set.
std::filesystem::path DataDir();
// $XDG_CONFIG_HOME/pigeon/pigeon.conf, else ~/.config/pigeon/pigeon.conf.
std::filesystem::path ConfigFile();
// $XDG_RUNTIME_DIR/pigeon; throws std::runtime_error without XDG_RUNTIME_DIR
// (the control socket must not land in a world-writable directory by accident).
std::filesystem::path RuntimeDir();

} // namespace pigeon::xdg
