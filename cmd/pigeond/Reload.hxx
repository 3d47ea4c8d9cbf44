#pragma once
// What SIGHUP makes of pigeon.conf read afresh: which settings changed,
// which of those take effect now (their row says Reload::Live or NewUplink)
// and which keep their running value until a restart (Reload::Restart). A
// pure function: the Daemon applies what it says.

#include "Config.hxx"

#include <string>
#include <vector>

namespace pigeon {

struct Reloaded {
    DaemonConfig config;              // what runs from now on
    std::vector<std::string> changed; // settings that changed and take effect
    std::vector<std::string> restart; // changed in the file, kept until a restart
    bool new_uplink = false;          // the uplink must be replaced to use `config`
};

// `fresh` as read now, against the `running` settings. A new password
// (from password-file or password-command) counts as the change "password".
// Throws OptionsError if what changes does not fit with what is kept (a
// range that depends on a setting that needs a restart).
Reloaded Reconcile(const DaemonConfig& running, DaemonConfig fresh);

} // namespace pigeon
