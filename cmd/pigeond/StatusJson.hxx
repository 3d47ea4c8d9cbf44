#pragma once
// The JSON shapes of `status`'s parts that come from the subsystems rather
// than the store (doc/control-protocol.md, "status").

#include "control/Json.hxx"
#include "link/CarryDecision.hxx"
#include "uplink/UplinkConfig.hxx"
#include "util/Time.hxx"

#include <map>
#include <string>

namespace pigeon {

// The uplink as it is; or, with no account, the offline shape with the same
// keys, so that clients read one shape.
control::Json ConnectivityJson(const uplink::UplinkStatus& status, const std::string& account);
control::Json NoUplinkJson(UnixMs started, const std::string& account, const std::string& bosh_url);

// What we hold for others (`holders`, by neighbour) and the most we would;
// `limits` is null with link-local off.
control::Json CarryJson(const std::map<std::string, store::CarriedLoad>& holders,
                        const link::CarryLimits* limits);

} // namespace pigeon
