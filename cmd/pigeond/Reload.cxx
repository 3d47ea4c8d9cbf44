#include "Reload.hxx"

#include "Settings.hxx"

namespace pigeon {

Reloaded Reconcile(const DaemonConfig& running, DaemonConfig fresh)
{
    Reloaded reloaded;
    for (const auto& setting : Settings()) {
        if (ValueOf(setting, running) == ValueOf(setting, fresh))
            continue;
        const std::string name(setting.name);
        switch (setting.reload) {
        case Reload::Restart:
            CopyValue(setting, running, fresh);
            reloaded.restart.push_back(name);
            break;
        case Reload::NewUplink:
            reloaded.new_uplink = true;
            reloaded.changed.push_back(name);
            break;
        case Reload::Live:
            reloaded.changed.push_back(name);
            break;
        }
    }
    if (fresh.password != running.password) {
        reloaded.new_uplink = true;
        reloaded.changed.emplace_back("password");
    }
    CheckDependentRanges(fresh); // max-body against the max-stanza that stays
    reloaded.config = std::move(fresh);
    return reloaded;
}

} // namespace pigeon
