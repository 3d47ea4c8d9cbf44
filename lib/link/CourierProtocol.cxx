#include "link/CourierProtocol.hxx"

#include "link/CarryProtocol.hxx"
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
    std::vector<ItemStatus> statuses;
    for (const auto& item : items)
        statuses.push_back({item.origin, item.id, item.status, item.receipt});
    return MakeStatusResult(request, "delivered", statuses, "receipt");
}

std::vector<DeliveredItem> ParseDeliverResult(const xml::Element& iq)
{
    std::vector<DeliveredItem> items;
    for (auto& s : ParseStatusResult(iq, "delivered", "receipt"))
        items.push_back({std::move(s.origin), std::move(s.origin_id), std::move(s.status),
                         std::move(s.condition)});
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
