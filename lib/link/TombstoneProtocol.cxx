#include "link/TombstoneProtocol.hxx"

#include "xmpp/Jid.hxx"
#include "xmpp/Namespaces.hxx"

#include <algorithm>

namespace pigeon::link {

xml::Element MakeTombstones(const std::string& iq_id, std::span<const store::Tombstone> items)
{
    auto iq = xml::Element::Named("iq", xmpp::ns::kClient);
    iq.SetAttr("type", "set");
    iq.SetAttr("id", iq_id);
    auto& list = iq.AddChild(xml::Element::Named("tombstones", xmpp::ns::kPigeon));
    for (const auto& t : items) {
        auto& item = list.AddChild(xml::Element::Named("item", xmpp::ns::kPigeon));
        item.SetAttr("origin", t.origin);
        item.SetAttr("id", t.id);
        item.SetAttr("to", t.to);
        item.SetAttr("until", FormatRfc3339(t.until));
        if (!t.receipt.empty())
            item.SetAttr("receipt", t.receipt);
        if (!t.via.empty()) {
            item.SetAttr("via", t.via);
            item.SetAttr("hops", std::to_string(t.hops));
        }
    }
    return iq;
}

const xml::Element* FindTombstones(const xml::Element& iq) noexcept
{
    if (iq.name != "iq" || iq.Attr("type") != "set")
        return nullptr;
    return iq.Child("tombstones", xmpp::ns::kPigeon);
}

namespace {

// Carriers on a delivery's way: 0 (unknown) unless one or two digits; hop
// limits are single figures.
int ParseHops(std::string_view text) noexcept
{
    if (text.empty() || text.size() > 2 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return 0;
    return text.size() == 1 ? text[0] - '0' : (text[0] - '0') * 10 + (text[1] - '0');
}

} // namespace

std::vector<store::Tombstone> ParseTombstones(const xml::Element& tombstones, UnixMs now)
{
    std::vector<store::Tombstone> items;
    for (const auto& child : tombstones.children) {
        if (int(items.size()) == kTombstonesPerRequest)
            break;
        if (child.name != "item" || child.ns != xmpp::ns::kPigeon)
            continue;
        const auto until = ParseRfc3339(child.Attr("until"));
        store::Tombstone t{xmpp::BareOf(child.Attr("origin")), std::string(child.Attr("id")),
                           xmpp::BareOf(child.Attr("to")),     until.value_or(0),
                           std::string(child.Attr("receipt")), false};
        if (t.origin.empty() || t.id.empty() || t.to.empty() || !until || *until <= now)
            continue;
        // The deliverer's word on the way it went, unsigned: shown, never acted on.
        t.via = xmpp::BareOf(child.Attr("via"));
        t.hops = t.via.empty() ? 0 : ParseHops(child.Attr("hops"));
        items.push_back(std::move(t));
    }
    return items;
}

} // namespace pigeon::link
