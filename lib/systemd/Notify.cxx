#include "systemd/Notify.hxx"

#include <systemd/sd-daemon.h>

#include <string>

namespace pigeon::systemd {

void NotifyReady() noexcept
{
    sd_notify(0, "READY=1");
}

void NotifyStopping() noexcept
{
    sd_notify(0, "STOPPING=1");
}

void NotifyStatus(std::string_view text) noexcept
{
    try {
        sd_notify(0, ("STATUS=" + std::string(text)).c_str());
    } catch (...) {
        // Status is informational; out of memory here is not worth dying for.
    }
}

} // namespace pigeon::systemd
