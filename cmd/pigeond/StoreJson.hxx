#pragma once
// The JSON shapes of the store's records in control replies
// (doc/control-protocol.md, "Values"). They live with the daemon, which owns
// the store, so that lib/control knows nothing of the store or of keys.

#include "control/Json.hxx"
#include "store/Model.hxx"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon {

// A public key (base64) as its fingerprint; null if empty or not a key.
control::Json KeyFingerprint(std::string_view base64_key);

control::Json ToJson(const store::OutboxItem& item);
control::Json ToJson(const store::CarriedItem& item);
control::Json ToJson(const store::InboxItem& item);
control::Json ToJson(const store::SearchHit& hit);
control::Json ToJson(const store::Neighbour& neighbour);
control::Json ToJson(const store::HandshakeEvent& event);
control::Json ToJson(const store::Counters& counters);
control::Json ToJson(const store::Contact& contact);
control::Json ToJson(const store::QueueSizes& sizes);
control::Json ToJson(const store::CarriedLoad& load);

// A listing's place (store::ListCursor) as clients see it: "AT.ROW".
std::string CursorText(const store::ListCursor& cursor);
std::optional<store::ListCursor> ParseCursor(std::string_view text);

// A page of a listing: its items, each with the cursor of the rows older
// than it, the listing's total and whether older rows remain.
template <typename T> control::Json ToJson(const store::Page<T>& page)
{
    control::Json items = control::Json::array();
    for (std::size_t i = 0; i < page.items.size(); ++i) {
        control::Json item = ToJson(page.items[i]);
        item["cursor"] = CursorText(page.cursors[i]);
        items.push_back(std::move(item));
    }
    return {{"items", std::move(items)}, {"total", page.total}, {"older", page.older}};
}

template <typename T> control::Json ToJsonArray(const std::vector<T>& items)
{
    control::Json array = control::Json::array();
    for (const auto& item : items)
        array.push_back(ToJson(item));
    return array;
}

} // namespace pigeon
