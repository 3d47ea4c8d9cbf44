#pragma once
// The JSON of the control protocol (doc/control-protocol.md). nlohmann_json
// is used here and nowhere else; pigeonctl and pigeond see it only through
// this folder. The store's records get their shapes on the daemon's side
// (cmd/pigeond/StoreJson.hxx): the protocol does not depend on the store.

#include "util/EventBus.hxx"
#include "util/Time.hxx"

#include <nlohmann/json.hpp>

#include <string_view>

namespace pigeon::control {

using Json = nlohmann::json;

// How deep arrays and objects may nest in a line of the protocol. The
// deepest request or reply is a handful of levels; nlohmann_json itself has
// no limit and builds every level before it can refuse the line.
constexpr std::size_t kMaxJsonDepth = 32;

// A line nested deeper than kMaxJsonDepth: a Json::exception, so that every
// caller that refuses bad JSON refuses it too.
class JsonTooDeep : public Json::exception {
public:
    JsonTooDeep();
};

// Parses one line of the protocol. Nesting is counted first, without
// allocating, so a line of a million '[' costs no memory. Throws JsonTooDeep
// or Json::parse_error for anything that is not JSON, or std::bad_alloc.
Json ParseLine(std::string_view text);

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
