#pragma once
// The JSON of the control protocol (doc/control-protocol.md). nlohmann_json
// is used here and nowhere else; pigeonctl and pigeond see it only through
// this folder. The store's records get their shapes on the daemon's side
// (cmd/pigeond/StoreJson.hxx): the protocol does not depend on the store.

#include "util/EventBus.hxx"
#include "util/Time.hxx"

#include <nlohmann/json.hpp>

namespace pigeon::control {

using Json = nlohmann::json;

// RFC 3339 text, or null for 0 ("not yet").
Json TimeToJson(UnixMs t);

// An event as a watcher sees it: {"event": kind, "at": time, ...its fields}.
// Throws std::bad_alloc only.
Json ToJson(const Event& event);

// `value` as one line of the protocol, without its newline; invalid UTF-8
// (read back from the store) is replaced rather than refused. Throws
// std::bad_alloc only.
std::string ToLine(const Json& value);

} // namespace pigeon::control
