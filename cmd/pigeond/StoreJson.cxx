#include "StoreJson.hxx"

#include "crypto/Identity.hxx"
#include "link/SprayRules.hxx"

#include <charconv>

namespace pigeon {
using control::Json;
using control::TimeToJson;

Json KeyFingerprint(std::string_view base64_key)
{
    const auto key = crypto::ParsePublicKey(base64_key);
    return key ? Json(crypto::Fingerprint(*key)) : Json(nullptr);
}

std::string CursorText(const store::ListCursor& cursor)
{
    return std::to_string(cursor.at) + "." + std::to_string(cursor.row);
}

std::optional<store::ListCursor> ParseCursor(std::string_view text)
{
    store::ListCursor cursor;
    const char* end = text.data() + text.size();
    auto [dot, e1] = std::from_chars(text.data(), end, cursor.at);
    if (e1 != std::errc() || dot == end || *dot != '.')
        return std::nullopt;
    auto [rest, e2] = std::from_chars(dot + 1, end, cursor.row);
    if (e2 != std::errc() || rest != end)
        return std::nullopt;
    return cursor;
}

Json ToJson(const store::OutboxItem& item)
{
    Json carriers = Json::array();
    for (const auto& handoff : item.carriers)
        carriers.push_back({{"carrier", handoff.carrier}, {"handed", TimeToJson(handoff.handed)}});
    return {
        {"id", item.id},
        {"to", item.to},
        {"body", item.body},
        {"created", TimeToJson(item.created)},
        {"state", store::ToString(item.state)},
        {"sent", TimeToJson(item.sent)},
        {"delivered", TimeToJson(item.delivered)},
        {"carriers", item.carriers.size()},
        {"carrier_list", std::move(carriers)},
        {"reported_by", item.reported_by.empty() ? Json(nullptr) : Json(item.reported_by)},
        {"reported", TimeToJson(item.reported)},
        {"expires", TimeToJson(item.expires)},
        {"delivered_via", item.delivered_via.empty() ? Json(nullptr) : Json(item.delivered_via)},
        {"hops", item.delivered_hops}};
}

Json ToJson(const store::CarriedItem& item)
{
    return {{"id", item.id},
            {"origin", item.origin},
            {"to", item.to},
            {"from_peer", item.from_peer},
            {"sent", TimeToJson(item.sent)},
            {"received", TimeToJson(item.received)},
            {"expires", TimeToJson(item.expires)},
            {"uploaded", TimeToJson(item.uploaded)},
            {"delivered", TimeToJson(item.delivered)},
            {"copies", item.copies},
            {"path", link::SplitPath(item.path)}};
}

Json ToJson(const store::InboxItem& item)
{
    return {{"id", item.id},
            {"from", item.from},
            {"body", item.body},
            {"sent", TimeToJson(item.sent)},
            {"received", TimeToJson(item.received)},
            {"via", item.via},
            {"authenticity", store::ToString(item.authenticity)}};
}

Json ToJson(const store::SearchHit& hit)
{
    return {{"box", hit.box},
            {"id", hit.id},
            {"peer", hit.peer},
            {"time", TimeToJson(hit.time)},
            {"snippet", hit.snippet}};
}

Json ToJson(const store::Neighbour& n)
{
    return {{"instance", n.instance},
            {"jid", n.jid},
            {"kind", n.carrier ? "carrier" : "chat-only"},
            {"addresses", n.addresses},
            {"first_seen", TimeToJson(n.first_seen)},
            {"last_seen", TimeToJson(n.last_seen)}};
}

Json ToJson(const store::HandshakeEvent& e)
{
    return {{"at", TimeToJson(e.at)},
            {"instance", e.instance},
            {"event", e.event},
            {"detail", e.detail}};
}

Json ToJson(const store::Counters& c)
{
    return {{"sent_direct", c.sent_direct},
            {"handed_to_carriers", c.handed_to_carriers},
            {"delivered_by_carriers", c.delivered_by_carriers},
            {"carried_for_others", c.carried_for_others},
            {"uploaded_for_others", c.uploaded_for_others},
            {"forged_refused", c.forged_refused},
            {"expired", c.expired},
            {"expired_carried", c.expired_carried},
            {"tombstones_learned", c.tombstones_learned},
            {"delivered_for_others", c.delivered_for_others},
            {"summary_skipped", c.summary_skipped}};
}

Json ToJson(const store::Contact& c)
{
    return {{"jid", c.jid},
            {"name", c.name},
            {"subscription", c.subscription},
            {"synced", c.synced},
            {"key", KeyFingerprint(c.key)}};
}

Json ToJson(const store::QueueSizes& q)
{
    return {{"outbox", q.outbox_pending}, {"carrying", q.carrying}, {"inbox", q.inbox}};
}

Json ToJson(const store::CarriedLoad& load)
{
    return {{"messages", load.messages}, {"bytes", load.bytes}};
}

} // namespace pigeon
