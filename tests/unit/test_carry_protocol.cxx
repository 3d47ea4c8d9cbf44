#include "link/CarryProtocol.hxx"
#include "xml/Serializer.hxx"
#include "xml/StreamParser.hxx"
#include "xmpp/Caps.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Protection.hxx"

#include "OverTheWire.hxx"

#include <doctest/doctest.h>

using namespace pigeon;
using namespace pigeon::link;
using test::OverTheWire;

namespace {

xmpp::ChatMessage Elaine(const std::string& id)
{
    return {"elaine@example.org", "jerry@example.org", id,
            "running late <&>",   1'795'321'361'000,   true};
}

} // namespace

TEST_CASE("a chat message carries origin-id, delay and a receipt request")
{
    const auto stanza = OverTheWire(xmpp::ToStanza(Elaine("id-1")));
    const auto parsed = xmpp::ParseChatMessage(stanza);
    REQUIRE(parsed);
    CHECK(parsed->from == "elaine@example.org");
    CHECK(parsed->to == "jerry@example.org");
    CHECK(parsed->id == "id-1");
    CHECK(parsed->body == "running late <&>");
    CHECK(parsed->sent == 1'795'321'361'000);
    CHECK(parsed->request_receipt);
    CHECK(stanza.Child("origin-id", "urn:xmpp:sid:0")->Attr("id") == "id-1");
}

TEST_CASE("messages without body, and errors, are not chat")
{
    xml::Element typing("message", "jabber:client");
    typing.AddChild(xml::Element("composing", "http://jabber.org/protocol/chatstates"));
    CHECK_FALSE(xmpp::ParseChatMessage(typing));
    auto error = xmpp::ToStanza(Elaine("x"));
    error.SetAttr("type", "error");
    CHECK_FALSE(xmpp::ParseChatMessage(error));
}

TEST_CASE("receipts round-trip")
{
    const auto receipt = OverTheWire(xmpp::MakeReceipt("elaine@host", "id-9"));
    CHECK(xmpp::ReceiptId(receipt) == "id-9");
    CHECK_FALSE(xmpp::ReceiptId(xmpp::ToStanza(Elaine("id-9"))));
}

TEST_CASE("a carry request round-trips and is parsed item by item")
{
    const UnixMs now = 1'795'321'400'000;
    std::vector<OutgoingItem> items;
    for (const char* id : {"a", "b"})
        items.push_back(
            {xmpp::Forward(xmpp::ToStanza(Elaine(id)), 1'795'321'361'000), now + 60'000});
    items.push_back({xmpp::Forward(xmpp::ToStanza(Elaine("old")), 1'795'321'361'000), now - 1});

    const auto iq = OverTheWire(MakeCarryRequest("carry-1", items));
    const auto* carry = FindCarry(iq);
    REQUIRE(carry != nullptr);
    const auto parsed = ParseCarryRequest(*carry, now);
    REQUIRE(parsed.size() == 3);
    CHECK(parsed[0].origin == "elaine@example.org");
    CHECK(parsed[0].origin_id == "a");
    CHECK(parsed[0].to == "jerry@example.org");
    CHECK(parsed[0].sent == 1'795'321'361'000);
    CHECK(parsed[0].expires == now + 60'000);
    CHECK(parsed[0].problem.empty());
    // The payload is the forwarded original, intact.
    CHECK(parsed[0].payload.find("running late &lt;&amp;&gt;") != std::string::npos);
    CHECK(parsed[0].payload.find("urn:xmpp:forward:0") != std::string::npos);
    CHECK(parsed[2].problem == "expired");
    CHECK(parsed[2].condition == "not-acceptable");
}

TEST_CASE("malformed carry items are refused, not guessed")
{
    xml::Element iq("iq", "jabber:client");
    iq.SetAttr("type", "set");
    iq.SetAttr("id", "c");
    auto& carry = iq.AddChild(xml::Element("carry", "urn:xmpp:pigeon:0"));
    carry.AddChild(xml::Element("item", "urn:xmpp:pigeon:0")); // no forwarded
    auto& no_delay = carry.AddChild(xml::Element("item", "urn:xmpp:pigeon:0"));
    no_delay.SetAttr("expires", "2099-01-01T00:00:00Z");
    auto& fwd = no_delay.AddChild(xml::Element("forwarded", "urn:xmpp:forward:0"));
    fwd.AddChild(xmpp::ToStanza(Elaine("z")));
    auto& no_origin = carry.AddChild(xml::Element("item", "urn:xmpp:pigeon:0"));
    no_origin.SetAttr("expires", "2099-01-01T00:00:00Z");
    auto anonymous = Elaine("y");
    anonymous.from.clear();
    no_origin.AddChild(xmpp::Forward(xmpp::ToStanza(anonymous), 5));

    const auto parsed = ParseCarryRequest(*FindCarry(OverTheWire(iq)), 0);
    REQUIRE(parsed.size() == 3);
    for (const auto& item : parsed) {
        CHECK(item.problem == "malformed item");
        CHECK(item.condition == "bad-request");
    }
}

TEST_CASE("carry results list each item's fate")
{
    xml::Element request("iq", "jabber:client");
    request.SetAttr("id", "carry-7");
    const ItemStatus statuses[] = {{"elaine@example.org", "a", "stored", ""},
                                   {"elaine@example.org", "b", "duplicate", ""},
                                   {"elaine@example.org", "c", "refused", "not-acceptable"}};
    const auto result = OverTheWire(MakeCarryResult(request, statuses));
    CHECK(result.Attr("id") == "carry-7");
    const auto parsed = ParseCarryResult(result);
    REQUIRE(parsed.size() == 3);
    CHECK(parsed[1].status == "duplicate");
    CHECK(parsed[2].condition == "not-acceptable");
}

TEST_CASE("IQ errors carry the stanza error condition")
{
    xml::Element request("iq", "jabber:client");
    request.SetAttr("id", "q");
    request.SetAttr("from", "kramer@host");
    const auto error =
        OverTheWire(xmpp::MakeIqError(request, "wait", "resource-constraint", "full"));
    CHECK(error.Attr("type") == "error");
    CHECK(error.Attr("to") == "kramer@host");
    CHECK(xmpp::ErrorCondition(error) == "resource-constraint");
}

TEST_CASE("the caps hash follows XEP-0115")
{
    // The worked example of XEP-0115 section 5.2 (one identity, four features).
    xmpp::DiscoInfo info{
        "client",
        "pc",
        "Exodus 0.9.1",
        {"http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#info",
         "http://jabber.org/protocol/disco#items", "http://jabber.org/protocol/muc"}};
    CHECK(xmpp::CapsVer(info) == "QgayPKawpkPSDYmwT/WM94uAlu0=");
    CHECK(xmpp::CapsVer(xmpp::PigeonDiscoInfo()).size() == 28);
}

TEST_CASE("a carrier that knows the origin's key refuses what it does not bear out")
{
    const UnixMs now = 1'795'321'400'000;
    const auto elaine = crypto::Identity::Generate();
    const auto mallory = crypto::Identity::Generate();
    const auto signed_by = [&](const crypto::Identity& who, const std::string& id) {
        auto stanza = xmpp::ToStanza(Elaine(id));
        xmpp::Protect(stanza, Elaine(id), who, nullptr);
        return OutgoingItem{xmpp::Forward(stanza, 1'795'321'361'000), now + 60'000};
    };
    const std::vector<OutgoingItem> items = {
        signed_by(elaine, "genuine"),
        signed_by(mallory, "forged"),
        {xmpp::Forward(xmpp::ToStanza(Elaine("unsigned")), 1'795'321'361'000), now + 60'000}};
    const auto iq = OverTheWire(MakeCarryRequest("carry-1", items));
    std::vector<std::string> asked;
    const auto knows = ParseCarryRequest(*FindCarry(iq), now, [&](const std::string& bare) {
        asked.push_back(bare);
        return std::optional(elaine.Public());
    });
    REQUIRE(knows.size() == 3);
    CHECK(knows[0].problem.empty());
    CHECK(knows[1].problem == "forged");
    CHECK(knows[1].condition == "not-authorized");
    CHECK(knows[2].problem == "forged"); // unsigned, from an origin whose key we know
    CHECK(asked == std::vector<std::string>(3, "elaine@example.org"));

    // Without the key, nothing tells them apart yet: all are carried.
    const auto does_not = ParseCarryRequest(
        *FindCarry(iq), now, [](const std::string&) { return std::optional<crypto::PublicKey>(); });
    for (const auto& item : does_not)
        CHECK(item.problem.empty());
}
