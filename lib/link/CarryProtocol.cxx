#include "link/CarryProtocol.hxx"

#include "link/SprayRules.hxx"
#include "xml/Serializer.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"
#include "xmpp/Protection.hxx"

#include <algorithm>

namespace pigeon::link {
namespace {

constexpr auto Named = &xml::Element::Named;

} // namespace

xml::Element MakeCarryRequest(const std::string& iq_id, std::vector<OutgoingItem> items)
{
    auto iq = Named("iq", xmpp::ns::kClient);
    iq.SetAttr("type", "set");
    iq.SetAttr("id", iq_id);
    auto& carry = iq.AddChild(Named("carry", xmpp::ns::kPigeon));
    for (auto& item : items) {
        auto& element = carry.AddChild(Named("item", xmpp::ns::kPigeon));
        element.SetAttr("expires", FormatRfc3339(item.expires));
        element.SetAttr("copies", std::to_string(item.copies));
        if (!item.path.empty()) {
            auto& path = element.AddChild(Named("path", xmpp::ns::kPigeon));
            for (const auto& name : item.path)
                path.AddChild(Named("hop", xmpp::ns::kPigeon)).SetAttr("name", name);
        }
        element.AddChild(std::move(item.forwarded));
    }
    return iq;
}

std::span<const xml::NamespacePrefix> CarryPrefixes() noexcept
{
    static constexpr xml::NamespacePrefix kPrefixes[] = {
        {"f", xmpp::ns::kForward},  {"d", xmpp::ns::kDelay},    {"c", xmpp::ns::kClient},
        {"r", xmpp::ns::kReceipts}, {"s", xmpp::ns::kStanzaId},
    };
    return kPrefixes;
}

const xml::Element* FindCarry(const xml::Element& iq) noexcept
{
    if (iq.name != "iq" || iq.Attr("type") != "set")
        return nullptr;
    return iq.Child("carry", xmpp::ns::kPigeon);
}

namespace {

// The bare JID of `from`; a batch has mostly one origin, whose name is
// prepared (stringprep) once, not once a copy.
const std::string& CachedBareOf(const std::string& from, std::pair<std::string, std::string>& last)
{
    if (last.first.empty() || last.first != from)
        last = {from, xmpp::BareOf(from)};
    return last.second;
}

// Whether the copy `unwrapped` may be carried: not forged as far as we can
// tell. `last` is CachedBareOf's.
bool Authentic(const xmpp::Unwrapped& unwrapped, const OriginKeyOf& key_of,
               std::pair<std::string, std::string>& last)
{
    std::optional<crypto::PublicKey> key;
    if (key_of)
        key = key_of(CachedBareOf(unwrapped.message.from, last));
    const auto verdict =
        xmpp::CheckSignature(*unwrapped.stanza, unwrapped.message, key ? &*key : nullptr);
    return verdict == xmpp::Authenticity::Signed || (!key && verdict != xmpp::Authenticity::Forged);
}

// The budget an item names: 1 when it names none (an older peer) or
// nonsense; never more than a budget could be.
int ParseCopies(std::string_view text) noexcept
{
    constexpr int kMostCopies = 1 << 20;
    int copies = 0;
    for (const char c : text) {
        if (c < '0' || c > '9' || copies > kMostCopies)
            return 1;
        copies = copies * 10 + (c - '0');
    }
    return std::clamp(copies, 1, kMostCopies);
}

// The holders an item names, or nullopt when there are too many or a name
// is empty, too long or has a line break (the store keeps names one a line).
std::optional<std::vector<std::string>> ParsePath(const xml::Element& item)
{
    std::vector<std::string> path;
    const auto* list = item.Child("path", xmpp::ns::kPigeon);
    if (list == nullptr)
        return path;
    for (const auto& hop : list->children) {
        if (hop.IsText() || hop.name != "hop")
            continue;
        const auto name = hop.Attr("name");
        if (path.size() == kMaxPath || name.empty() || name.size() > kMaxPathName ||
            name.find_first_of("\r\n") != std::string_view::npos)
            return std::nullopt;
        path.emplace_back(name);
    }
    return path;
}

} // namespace

std::vector<IncomingItem> ParseCarryRequest(const xml::Element& carry, UnixMs now,
                                            const OriginKeyOf& key_of)
{
    std::vector<IncomingItem> items;
    std::pair<std::string, std::string> last_origin;
    for (const auto& child : carry.children) {
        if (child.IsText() || child.name != "item" || child.ns != xmpp::ns::kPigeon)
            continue;
        IncomingItem item;
        const auto* forwarded = child.Child("forwarded", xmpp::ns::kForward);
        const auto unwrapped = forwarded != nullptr ? xmpp::Unwrap(*forwarded) : std::nullopt;
        const auto expires = ParseRfc3339(child.Attr("expires"));
        auto path = ParsePath(child);
        if (!unwrapped || !expires || !path) {
            item.problem = "malformed item";
            item.condition = "bad-request";
            if (unwrapped) {
                item.origin = unwrapped->message.from;
                item.origin_id = unwrapped->message.id;
            }
            items.push_back(std::move(item));
            continue;
        }
        item.origin = unwrapped->message.from;
        item.origin_id = unwrapped->message.id;
        item.to = unwrapped->message.to;
        item.sent = unwrapped->message.sent;
        item.expires = *expires;
        item.copies = ParseCopies(child.Attr("copies"));
        item.path = std::move(*path);
        if (item.expires <= now) {
            item.problem = "expired";
            item.condition = "not-acceptable";
        } else if (!Authentic(*unwrapped, key_of, last_origin)) {
            item.problem = "forged";
            item.condition = "not-authorized";
        } else {
            try {
                item.payload = xml::Serialize(*forwarded);
            } catch (const std::exception&) {
                item.problem = "malformed item";
                item.condition = "bad-request";
            }
        }
        items.push_back(std::move(item));
    }
    return items;
}

xml::Element MakeStatusResult(const xml::Element& request, std::string_view container,
                              std::span<const ItemStatus> statuses, std::string_view extra)
{
    auto iq = xmpp::MakeIqResult(request);
    auto& list = iq.AddChild(Named(container, xmpp::ns::kPigeon));
    for (const auto& s : statuses) {
        auto& item = list.AddChild(Named("item", xmpp::ns::kPigeon));
        item.SetAttr("origin", s.origin);
        item.SetAttr("id", s.origin_id);
        item.SetAttr("status", s.status);
        if (!s.condition.empty())
            item.SetAttr(std::string(extra), s.condition);
    }
    return iq;
}

std::vector<ItemStatus> ParseStatusResult(const xml::Element& iq, std::string_view container,
                                          std::string_view extra)
{
    std::vector<ItemStatus> statuses;
    const auto* list =
        iq.Attr("type") == "result" ? iq.Child(container, xmpp::ns::kPigeon) : nullptr;
    if (list == nullptr)
        return statuses;
    for (const auto& child : list->children)
        if (!child.IsText() && child.name == "item")
            statuses.push_back({std::string(child.Attr("origin")), std::string(child.Attr("id")),
                                std::string(child.Attr("status")), std::string(child.Attr(extra))});
    return statuses;
}

xml::Element MakeCarryResult(const xml::Element& request, std::span<const ItemStatus> statuses)
{
    return MakeStatusResult(request, "carried", statuses, "condition");
}

std::vector<ItemStatus> ParseCarryResult(const xml::Element& iq)
{
    return ParseStatusResult(iq, "carried", "condition");
}

} // namespace pigeon::link
