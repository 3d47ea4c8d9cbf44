// What a carrier and the recipient or origin of its messages say on the link.

#include "link/CourierProtocol.hxx"
#include "xml/Document.hxx"
#include "xml/Serializer.hxx"
#include "xmpp/Message.hxx"

#include <doctest/doctest.h>

using namespace pigeon;

namespace {

xml::Element RoundTrip(const xml::Element& element)
{
    return xml::ParseDocument(xml::Serialize(element));
}

store::CarriedItem Carried(std::string id, std::string payload)
{
    return {
        std::move(id),     "elaine@example.org", "jerry@example.org", "elaine@elaine", 1, 2, 3, 0,
        std::move(payload)};
}

} // namespace

TEST_CASE("a deliver request holds the carried copies as stored, and leaves out unreadable ones")
{
    const xmpp::ChatMessage m{"elaine@example.org", "jerry@example.org", "ID", "hi", 1000, true};
    const auto forwarded = xml::Serialize(xmpp::Forward(xmpp::ToStanza(m), 1000));
    const store::CarriedItem items[] = {Carried("ID", forwarded), Carried("BAD", "<forwarded")};
    std::vector<std::string> unreadable;
    const auto iq = RoundTrip(link::MakeDeliverRequest("deliver-1", items, &unreadable));
    CHECK(unreadable == std::vector<std::string>{"BAD"});
    const auto* deliver = link::FindDeliver(iq);
    REQUIRE(deliver != nullptr);
    const auto* copy = deliver->Child("forwarded", "urn:xmpp:forward:0");
    REQUIRE(copy != nullptr);
    const auto original = xmpp::Unwrap(*copy);
    REQUIRE(original);
    CHECK(original->message.id == "ID");
    CHECK(link::FindDeliver(xml::ParseDocument("<iq type='get'><deliver "
                                               "xmlns='urn:xmpp:pigeon:0'/></iq>")) == nullptr);
}

TEST_CASE("a deliver result names each copy with what became of it")
{
    const auto request = xml::ParseDocument("<iq type='set' id='deliver-7'/>");
    const link::DeliveredItem items[] = {{"elaine@example.org", "A", "received", "SIG"},
                                         {"elaine@example.org", "B", "held", ""}};
    const auto iq = RoundTrip(link::MakeDeliverResult(request, items));
    CHECK(iq.Attr("id") == "deliver-7");
    const auto parsed = link::ParseDeliverResult(iq);
    REQUIRE(parsed.size() == 2);
    CHECK(parsed[0].status == "received");
    CHECK(parsed[0].receipt == "SIG");
    CHECK(parsed[1].status == "held");
    CHECK(parsed[1].receipt.empty());
    CHECK(
        link::ParseDeliverResult(xml::ParseDocument("<iq type='error' id='deliver-7'/>")).empty());
}

TEST_CASE("reports travel in one request; malformed ones are left out")
{
    const xmpp::CustodyReport reports[] = {
        {"elaine@example.org", "A", "jerry@example.org", "uploaded", "kramer@example.org", ""}};
    auto iq = RoundTrip(link::MakeReportsRequest("report-1", reports));
    const auto* element = link::FindReports(iq);
    REQUIRE(element != nullptr);
    auto parsed = link::ParseReports(*element);
    REQUIRE(parsed.size() == 1);
    CHECK(parsed[0].id == "A");
    CHECK(parsed[0].status == "uploaded");
    auto bad =
        xml::ParseDocument("<iq type='set' id='r'><reports xmlns='urn:xmpp:pigeon:custody:0'>"
                           "<report origin='e' id='A' to='j' carrier='k' status='lost'/>"
                           "</reports></iq>");
    CHECK(link::ParseReports(*link::FindReports(bad)).empty());
}
