#include "link/SummaryProtocol.hxx"

#include "crypto/Base64.hxx"
#include "ssl/Digest.hxx"
#include "xmpp/Namespaces.hxx"
#include "xmpp/Protection.hxx"

#include <algorithm>
#include <charconv>
#include <optional>

namespace pigeon::link {
namespace {

constexpr std::size_t kHashBytes = 8;

std::uint64_t ReadBigEndian(std::string_view bytes) noexcept
{
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < kHashBytes; ++i)
        value = value << 8 | std::uint8_t(bytes[i]);
    return value;
}

void AddList(xml::Element& summary, std::string_view name, std::vector<std::uint64_t>& hashes,
             std::size_t cap)
{
    std::sort(hashes.begin(), hashes.end());
    hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
    hashes.resize(std::min(hashes.size(), cap));
    std::string bytes;
    bytes.reserve(hashes.size() * kHashBytes);
    for (const auto hash : hashes)
        for (int shift = 56; shift >= 0; shift -= 8)
            bytes.push_back(char(hash >> shift & 0xff));
    auto& list = summary.AddChild(xml::Element::Named(name, xmpp::ns::kPigeon));
    list.SetAttr("count", std::to_string(hashes.size()));
    list.AddText(crypto::ToBase64(bytes));
}

// The hashes `summary`'s list `name` holds; empty with `problem` set if it
// breaks a rule.
std::vector<std::uint64_t> ReadList(const xml::Element& summary, std::string_view name,
                                    std::size_t cap, std::string& problem)
{
    const auto fail = [&](const std::string& why) {
        problem = "<" + std::string(name) + "/> " + why;
        return std::vector<std::uint64_t>{};
    };
    const auto* list = summary.Child(name, xmpp::ns::kPigeon);
    if (list == nullptr)
        return fail("missing");
    const auto text = list->Attr("count");
    std::size_t count = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
    if (text.empty() || error != std::errc() || end != text.data() + text.size())
        return fail("has no count");
    if (count > cap)
        return fail("holds " + std::string(text) + " hashes, over the cap of " +
                    std::to_string(cap));
    const auto bytes = crypto::FromBase64(list->Text());
    if (!bytes)
        return fail("is not base64");
    if (bytes->size() != count * kHashBytes)
        return fail("holds " + std::to_string(bytes->size()) + " bytes, not " +
                    std::to_string(count) + " hashes of 8");
    std::vector<std::uint64_t> hashes;
    hashes.reserve(count);
    for (std::size_t at = 0; at < bytes->size(); at += kHashBytes) {
        const auto hash = ReadBigEndian(std::string_view(*bytes).substr(at, kHashBytes));
        if (!hashes.empty() && hash <= hashes.back())
            return fail("is not in strictly ascending order");
        hashes.push_back(hash);
    }
    return hashes;
}

} // namespace

std::uint64_t SummaryHash(std::string_view origin, std::string_view origin_id)
{
    const auto digest =
        ssl::Digest(ssl::Hash::Sha256, xmpp::SignedFields({"pigeon-summary-1", origin, origin_id}));
    return ReadBigEndian(digest);
}

std::uint64_t TombstoneEntry(std::uint64_t hash, bool with_receipt) noexcept
{
    return (hash & ~std::uint64_t{1}) | (with_receipt ? 1 : 0);
}

bool Summary::Holds(std::uint64_t hash) const noexcept
{
    return std::binary_search(held.begin(), held.end(), hash);
}

bool Summary::Knows(std::uint64_t entry) const noexcept
{
    // A receipt is news to a peer that knows the delivery without one.
    return std::binary_search(delivered.begin(), delivered.end(), entry | 1) ||
           ((entry & 1) == 0 && std::binary_search(delivered.begin(), delivered.end(), entry));
}

xml::Element MakeSummary(const std::string& iq_id, Summary summary)
{
    auto iq = xml::Element::Named("iq", xmpp::ns::kClient);
    iq.SetAttr("type", "set");
    iq.SetAttr("id", iq_id);
    auto& element = iq.AddChild(xml::Element::Named("summary", xmpp::ns::kPigeon));
    AddList(element, "held", summary.held, kMaxSummaryHeld);
    AddList(element, "delivered", summary.delivered, kMaxSummaryDelivered);
    return iq;
}

const xml::Element* FindSummary(const xml::Element& iq) noexcept
{
    if (iq.name != "iq" || iq.Attr("type") != "set")
        return nullptr;
    return iq.Child("summary", xmpp::ns::kPigeon);
}

ParsedSummary ParseSummary(const xml::Element& summary)
{
    ParsedSummary parsed;
    parsed.summary.held = ReadList(summary, "held", kMaxSummaryHeld, parsed.problem);
    if (parsed.problem.empty())
        parsed.summary.delivered =
            ReadList(summary, "delivered", kMaxSummaryDelivered, parsed.problem);
    if (!parsed.problem.empty())
        parsed.summary = {};
    return parsed;
}

} // namespace pigeon::link
