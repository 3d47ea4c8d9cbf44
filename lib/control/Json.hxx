#pragma once
// The JSON of the control protocol (doc/control-protocol.md). nlohmann_json
// is used here and nowhere else; pigeonctl and pigeond see it only through
// this folder. The store's records get their shapes on the daemon's side
// (cmd/pigeond/StoreJson.hxx): the protocol does not depend on the store.

#include "util/Time.hxx"

#include <nlohmann/json.hpp>

namespace pigeon::control {

using Json = nlohmann::json;

// RFC 3339 text, or null for 0 ("not yet").
Json TimeToJson(UnixMs t);

} // namespace pigeon::control
