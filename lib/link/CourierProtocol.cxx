#include "link/CourierProtocol.hxx"

#include "xml/Document.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"

namespace pigeon::link {
namespace {

constexpr auto Named = &xml::Element::Named;

xml::Element IqSet(const std::string& iq_id)
{
    auto iq = Named("iq", xmpp::ns::kClient);
    iq.SetAttr("type", "set");
    iq.SetAttr("id", iq_id);
    return iq;
}

const xml::Element* SetChild(const xml::Element& iq, std::string_view name,
                             std::string_view ns) noexcept
{
    if (iq.name != "iq" || iq.Attr("type") != "set")
        return nullptr;
    return iq.Child(name, ns);
}

} // namespace

xml::Element MakeDeliverRequest(const std::string& iq_id, std::span<const store::CarriedItem> items,
                                std::vector<std::string>* unreadable)
{
    auto iq = IqSet(iq_id);
    auto& deliver = iq.AddChild(Named("deliver", xmpp::ns::kPigeon));
    for (const auto& item : items) {
        try {
            deliver.AddChild(xml::ParseDocument(item.payload));
        } catch (const std::bad_alloc&) {
            throw;
        } catch (const std::exception&) {
            if (unreadable != nullptr)
                unreadable->push_back(item.id);
        }
    }
    return iq;
}

const xml::Element* FindDeliver(const xml::Element& iq) noexcept
{
    return SetChild(iq, "deliver", xmpp::ns::kPigeon);
}

xml::Element MakeDeliverResult(const xml::Element& request, std::span<const DeliveredItem> items)
{
    auto iq = xmpp::MakeIqResult(request);
    auto& delivered = iq.AddChild(Named("delivered", xmpp::ns::kPigeon));
    for (const auto& item : items) {
        auto& element = delivered.AddChild(Named("item", xmpp::ns::kPigeon));
        element.SetAttr("origin", item.origin);
        element.SetAttr("id", item.id);
        element.SetAttr("status", item.status);
        if (!item.receipt.empty())
            element.SetAttr("receipt", item.receipt);
    }
    return iq;
}

std::vector<DeliveredItem> ParseDeliverResult(const xml::Element& iq)
{
    std::vector<DeliveredItem> items;
    const auto* delivered =
        iq.Attr("type") == "result" ? iq.Child("delivered", xmpp::ns::kPigeon) : nullptr;
    if (delivered == nullptr)
        return items;
    for (const auto& child : delivered->children)
        if (!child.IsText() && child.name == "item" && child.ns == xmpp::ns::kPigeon)
            items.push_back({std::string(child.Attr("origin")), std::string(child.Attr("id")),
                             std::string(child.Attr("status")),
                             std::string(child.Attr("receipt"))});
    return items;
}

xml::Element MakeReportsRequest(const std::string& iq_id,
                                std::span<const xmpp::CustodyReport> reports)
{
    auto iq = IqSet(iq_id);
    auto& element = iq.AddChild(Named("reports", xmpp::ns::kPigeonCustody));
    for (const auto& report : reports)
        element.AddChild(xmpp::ToElement(report));
    return iq;
}

const xml::Element* FindReports(const xml::Element& iq) noexcept
{
    return SetChild(iq, "reports", xmpp::ns::kPigeonCustody);
}

std::vector<xmpp::CustodyReport> ParseReports(const xml::Element& reports)
{
    std::vector<xmpp::CustodyReport> parsed;
    for (const auto& child : reports.children)
        if (!child.IsText())
            if (auto report = xmpp::ParseReport(child))
                parsed.push_back(std::move(*report));
    return parsed;
}

} // namespace pigeon::link
