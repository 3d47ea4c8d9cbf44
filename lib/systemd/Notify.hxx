#pragma once
// Tells the service manager how we are doing (Type=notify). Harmless when
// not run by systemd: every call is then a no-op.

#include <string_view>

namespace pigeon::systemd {

void NotifyReady() noexcept;
void NotifyStopping() noexcept;
void NotifyStatus(std::string_view text) noexcept;

} // namespace pigeon::systemd
