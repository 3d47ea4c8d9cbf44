// Summary vectors (doc/carry-protocol.md, "Summary vectors"): how a list of
// hashes is built and read, what a malformed one is refused for, and what
// the store lists for it.

#include "crypto/Base64.hxx"
#include "link/SummaryProtocol.hxx"
#include "store/Store.hxx"
#include "xmpp/Namespaces.hxx"

#include "OverTheWire.hxx"
#include "StoreFixture.hxx"

#include <doctest/doctest.h>

using namespace pigeon;
using namespace pigeon::link;
using test::OverTheWire;

namespace {

std::string BigEndian(std::initializer_list<std::uint64_t> hashes)
{
    std::string bytes;
    for (const auto hash : hashes)
        for (int shift = 56; shift >= 0; shift -= 8)
            bytes.push_back(char(hash >> shift & 0xff));
    return bytes;
}

// A <summary/> whose held list says `count` and holds `base64`, with an empty
// delivered list.
xml::Element SummaryOf(const std::string& count, const std::string& base64)
{
    auto summary = xml::Element::Named("summary", xmpp::ns::kPigeon);
    auto& held = summary.AddChild(xml::Element::Named("held", xmpp::ns::kPigeon));
    held.SetAttr("count", count);
    held.AddText(base64);
    summary.AddChild(xml::Element::Named("delivered", xmpp::ns::kPigeon)).SetAttr("count", "0");
    return summary;
}

std::string Problem(const std::string& count, const std::string& base64)
{
    const auto parsed = ParseSummary(SummaryOf(count, base64));
    if (!parsed.problem.empty()) { // nothing half-read is taken
        CHECK(parsed.summary.held.empty());
        CHECK(parsed.summary.delivered.empty());
    }
    return parsed.problem;
}

} // namespace

TEST_CASE("a message's summary hash is the first 8 bytes of SHA-256 over its fields")
{
    // sha256("16:pigeon-summary-1,18:elaine@example.org,4:id-1,")
    CHECK(SummaryHash("elaine@example.org", "id-1") == 0x196ac84dbf40e026ULL);
    CHECK(SummaryHash("elaine@example.org", "id-2") != SummaryHash("elaine@example.org", "id-1"));
    CHECK(SummaryHash("elaine@example.orgi", "d-1") != SummaryHash("elaine@example.org", "id-1"));
}

TEST_CASE("a summary crosses the wire sorted, without duplicates, and reads back")
{
    Summary summary{{9, 3, 7, 3}, {TombstoneEntry(40, true), TombstoneEntry(20, false)}};
    const auto iq = OverTheWire(MakeSummary("summary-1", summary));
    CHECK(iq.Attr("type") == "set");
    const auto* element = FindSummary(iq);
    REQUIRE(element != nullptr);
    CHECK(element->Child("held", xmpp::ns::kPigeon)->Attr("count") == "3");
    const auto parsed = ParseSummary(*element);
    CHECK(parsed.problem.empty());
    CHECK(parsed.summary.held == std::vector<std::uint64_t>{3, 7, 9});
    CHECK(parsed.summary.delivered == std::vector<std::uint64_t>{20, 41});
    CHECK(parsed.summary.Holds(7));
    CHECK_FALSE(parsed.summary.Holds(8));
}

TEST_CASE("an empty summary is well-formed")
{
    const auto iq = OverTheWire(MakeSummary("summary-2", {}));
    const auto parsed = ParseSummary(*FindSummary(iq));
    CHECK(parsed.problem.empty());
    CHECK(parsed.summary.held.empty());
}

TEST_CASE("a summary keeps at most its caps")
{
    Summary summary;
    for (std::uint64_t i = 0; i < kMaxSummaryHeld + 5; ++i)
        summary.held.push_back(i * 2);
    const auto iq = OverTheWire(MakeSummary("summary-3", summary));
    const auto parsed = ParseSummary(*FindSummary(iq));
    CHECK(parsed.problem.empty());
    CHECK(parsed.summary.held.size() == kMaxSummaryHeld);
}

TEST_CASE("a peer that knows a delivery needs no tombstone, unless ours brings the receipt")
{
    const auto hash = SummaryHash("elaine@example.org", "id-1");
    const Summary without{{}, {TombstoneEntry(hash, false)}};
    CHECK(without.Knows(TombstoneEntry(hash, false)));
    CHECK_FALSE(without.Knows(TombstoneEntry(hash, true)));
    const Summary with{{}, {TombstoneEntry(hash, true)}};
    CHECK(with.Knows(TombstoneEntry(hash, false)));
    CHECK(with.Knows(TombstoneEntry(hash, true)));
    CHECK_FALSE(Summary{}.Knows(TombstoneEntry(hash, false)));
}

TEST_CASE("a malformed summary is refused whole, saying why")
{
    const auto two = crypto::ToBase64(BigEndian({1, 2}));
    CHECK(Problem("2", two).empty());
    CHECK(Problem("3", two).find("not 3 hashes") != std::string::npos); // wrong length
    CHECK(Problem("1", crypto::ToBase64(BigEndian({1}) + "xyz")).find("bytes") !=
          std::string::npos);
    CHECK(Problem("2", crypto::ToBase64(BigEndian({2, 1}))).find("ascending") != std::string::npos);
    CHECK(Problem("2", crypto::ToBase64(BigEndian({2, 2}))).find("ascending") != std::string::npos);
    CHECK(Problem("12289", two).find("over the cap") != std::string::npos);
    CHECK(Problem("2", "not base64!").find("base64") != std::string::npos);
    CHECK(Problem("two", two).find("count") != std::string::npos);
    CHECK(Problem("-2", two).find("count") != std::string::npos);
    CHECK(Problem("99999999999999999999999", two).find("count") != std::string::npos);

    auto no_delivered = xml::Element::Named("summary", xmpp::ns::kPigeon);
    no_delivered.AddChild(xml::Element::Named("held", xmpp::ns::kPigeon)).SetAttr("count", "0");
    CHECK(ParseSummary(no_delivered).problem == "<delivered/> missing");
}

TEST_CASE("a summary is only an iq set's")
{
    auto iq = MakeSummary("summary-4", {});
    CHECK(FindSummary(iq) != nullptr);
    iq.SetAttr("type", "result");
    CHECK(FindSummary(iq) == nullptr);
}

TEST_CASE("the store lists each message we carry once, and tombstones not expired")
{
    test::TempDb tmp;
    store::Store store{tmp.File()};
    auto copy = test::Carried("elaine@example.org", "m-1");
    auto other = copy;
    other.payload = "<message>another copy</message>";
    const store::CarriedItem items[] = {copy, other, test::Carried("newman@example.org", "m-2")};
    store.AddCarried(items);
    auto held = store.HeldForSummary(100);
    CHECK(held.size() == 2);
    CHECK(store.HeldForSummary(1).size() == 1);

    store.AddTombstone({"elaine@example.org", "m-9", "jerry@example.org", 5000, "SIG", false}, 10);
    store.AddTombstone({"elaine@example.org", "m-8", "jerry@example.org", 90000, "", false}, 11);
    const auto tombstones = store.TombstonesForSummary(100, 6000);
    REQUIRE(tombstones.size() == 1);
    CHECK(tombstones[0].origin_id == "m-8");
    CHECK_FALSE(tombstones[0].with_receipt);
    CHECK(store.TombstonesForSummary(100, 0).front().with_receipt == false);
    CHECK(store.TombstonesForSummary(100, 0).back().with_receipt == true);

    store.CountSummarySkipped(3);
    CHECK(store.GetCounters().summary_skipped == 3);
}
