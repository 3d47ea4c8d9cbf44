#pragma once
// The JSON shapes of the control protocol (doc/control-protocol.md).
// nlohmann_json is used here and nowhere else; pigeonctl and pigeond see it
// only through this folder.

#include "store/Model.hxx"

#include <nlohmann/json.hpp>

namespace pigeon::control {

using Json = nlohmann::json;

// RFC 3339 text, or null for 0 ("not yet").
Json TimeToJson(UnixMs t);
// A public key (base64) as its fingerprint; null if empty or not a key.
Json KeyFingerprint(std::string_view base64_key);

Json ToJson(const store::OutboxItem& item);
Json ToJson(const store::CarriedItem& item);
Json ToJson(const store::InboxItem& item);
Json ToJson(const store::SearchHit& hit);
Json ToJson(const store::Neighbour& neighbour);
Json ToJson(const store::HandshakeEvent& event);
Json ToJson(const store::Counters& counters);
Json ToJson(const store::Contact& contact);
Json ToJson(const store::QueueSizes& sizes);

template <typename T> Json ToJsonArray(const std::vector<T>& items)
{
    Json array = Json::array();
    for (const auto& item : items)
        array.push_back(ToJson(item));
    return array;
}

} // namespace pigeon::control
