#pragma once
// How the uplink reaches our server: c2s (TCP, TLS, XEP-0198), BOSH (HTTP),
// or auto: c2s where it gets through, else BOSH (proxies, captive networks
// that let only HTTP(S) out).

#include <string_view>

namespace pigeon::uplink {

// In the order of the `transport` setting's choices.
enum class Transport { Auto, C2s, Bosh };

inline std::string_view TransportName(Transport t) noexcept
{
    return t == Transport::C2s ? "c2s" : t == Transport::Bosh ? "bosh" : "auto";
}

} // namespace pigeon::uplink
