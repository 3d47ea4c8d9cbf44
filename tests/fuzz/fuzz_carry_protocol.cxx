// The carry protocol as a carrier reads it: every stanza of a stream goes
// through the request, result and summary parsers, which refuse items but
// never throw; a summary they take is sorted and within its caps.

#include "FuzzTarget.hxx"
#include "link/CarryProtocol.hxx"
#include "link/SummaryProtocol.hxx"
#include "xml/StreamParser.hxx"

#include <algorithm>
#include <string>

using namespace pigeon;

namespace {

constexpr std::string_view kHeader =
    "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
    "from='mallory@mallory' to='kramer@kramer' version='1.0'>";

void CheckSummary(const xml::Element& element)
{
    const auto parsed = link::ParseSummary(element);
    const auto& held = parsed.summary.held;
    const auto& delivered = parsed.summary.delivered;
    if (!parsed.problem.empty())
        fuzz::Expect(held.empty() && delivered.empty());
    fuzz::Expect(held.size() <= link::kMaxSummaryHeld);
    fuzz::Expect(delivered.size() <= link::kMaxSummaryDelivered);
    fuzz::Expect(std::adjacent_find(held.begin(), held.end(), std::greater_equal<>()) ==
                 held.end());
    fuzz::Expect(std::adjacent_find(delivered.begin(), delivered.end(), std::greater_equal<>()) ==
                 delivered.end());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    xml::StreamParser parser;
    std::vector<xml::StreamParser::Event> events;
    try {
        parser.Feed(kHeader);
        events = parser.Feed(fuzz::Text(data, size));
    } catch (const xml::StreamError&) {
        return 0;
    }
    constexpr UnixMs kNow = 1'795'321'361'123;
    for (const auto& event : events) {
        if (event.kind != xml::StreamParser::Event::Kind::Stanza)
            continue;
        const xml::Element& stanza = event.stanza;
        if (const xml::Element* carry = link::FindCarry(stanza)) {
            for (const auto& item : link::ParseCarryRequest(*carry, kNow))
                fuzz::Expect(item.problem.empty() == item.condition.empty());
        }
        if (const xml::Element* summary = link::FindSummary(stanza))
            CheckSummary(*summary);
        for (const auto& status : link::ParseCarryResult(stanza))
            fuzz::Expect(!status.status.empty());
    }
    return 0;
}
