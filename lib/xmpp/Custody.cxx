#include "xmpp/Custody.hxx"

#include "crypto/Base64.hxx"
#include "xmpp/Namespaces.hxx"
#include "xmpp/Protection.hxx"

namespace pigeon::xmpp {
namespace {

std::string ReportText(const CustodyReport& r)
{
    return SignedFields({"pigeon-custody-1", r.carrier, r.origin, r.to, r.id, r.status, r.receipt});
}

std::string ReceiptText(std::string_view recipient, std::string_view origin, std::string_view id)
{
    return SignedFields({"pigeon-receipt-1", recipient, origin, id});
}

bool VerifyBase64(const crypto::PublicKey& key, const std::string& text,
                  std::string_view signature) noexcept
{
    try {
        const auto bytes = crypto::FromBase64(signature);
        return bytes && crypto::Verify(key, text, *bytes);
    } catch (const std::exception&) {
        return false; // out of memory: not proven
    }
}

} // namespace

xml::Element ToElement(const CustodyReport& r)
{
    auto element = xml::Element::Named("report", ns::kPigeonCustody);
    element.SetAttr("origin", r.origin);
    element.SetAttr("id", r.id);
    element.SetAttr("to", r.to);
    element.SetAttr("status", r.status);
    element.SetAttr("carrier", r.carrier);
    if (!r.receipt.empty())
        element.SetAttr("receipt", r.receipt);
    if (!r.signature.empty())
        element.SetAttr("signature", r.signature);
    return element;
}

std::optional<CustodyReport> ParseReport(const xml::Element& e)
{
    if (e.name != "report" || e.ns != ns::kPigeonCustody)
        return std::nullopt;
    CustodyReport r{std::string(e.Attr("origin")),   std::string(e.Attr("id")),
                    std::string(e.Attr("to")),       std::string(e.Attr("status")),
                    std::string(e.Attr("carrier")),  std::string(e.Attr("receipt")),
                    std::string(e.Attr("signature"))};
    if (r.origin.empty() || r.id.empty() || r.to.empty() || r.carrier.empty() ||
        (r.status != kUploaded && r.status != kDelivered))
        return std::nullopt;
    return r;
}

std::optional<CustodyReport> FindReport(const xml::Element& parent)
{
    const auto* element = parent.Child("report", ns::kPigeonCustody);
    return element != nullptr ? ParseReport(*element) : std::nullopt;
}

void Sign(CustodyReport& report, const crypto::Identity& carrier)
{
    report.signature = crypto::ToBase64(carrier.Sign(ReportText(report)));
}

bool Check(const CustodyReport& report, const crypto::PublicKey& carrier_key) noexcept
{
    try {
        return VerifyBase64(carrier_key, ReportText(report), report.signature);
    } catch (const std::exception&) {
        return false;
    }
}

xml::Element RefusalElement(std::string_view id, std::string_view via)
{
    auto element = xml::Element::Named("refused", ns::kPigeonCustody);
    element.SetAttr("id", std::string(id));
    element.SetAttr("via", std::string(via));
    return element;
}

std::optional<std::string> RefusedId(const xml::Element& message)
{
    const auto* element = message.Child("refused", ns::kPigeonCustody);
    if (element == nullptr || element->Attr("id").empty())
        return std::nullopt;
    return std::string(element->Attr("id"));
}

std::string SignReceipt(const crypto::Identity& recipient_identity, std::string_view recipient,
                        std::string_view origin, std::string_view id)
{
    return crypto::ToBase64(recipient_identity.Sign(ReceiptText(recipient, origin, id)));
}

bool CheckReceipt(const crypto::PublicKey& recipient_key, std::string_view recipient,
                  std::string_view origin, std::string_view id, std::string_view signature) noexcept
{
    try {
        return VerifyBase64(recipient_key, ReceiptText(recipient, origin, id), signature);
    } catch (const std::exception&) {
        return false;
    }
}

} // namespace pigeon::xmpp
