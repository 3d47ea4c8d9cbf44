// How long xml::Serialize takes for what the handoff serialises most: a carry request of 100
// items (the origin's side) and each item's <forwarded/> on its own (the carrier stores those).
// Prints ns per serialisation and, as a baseline from the same run, how many times a plain copy
// of the same bytes that is; plus a hash of the output, which must not change between versions.
// No timed assertion: the figures depend on the machine and on what else runs.

#include "xml/Serializer.hxx"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

using pigeon::xml::Element;

namespace {

constexpr std::string_view kClient = "jabber:client";
constexpr std::string_view kPigeon = "urn:xmpp:pigeon:0";
constexpr std::string_view kForward = "urn:xmpp:forward:0";
constexpr std::string_view kDelay = "urn:xmpp:delay";
constexpr std::string_view kSid = "urn:xmpp:sid:0";
constexpr std::string_view kReceipts = "urn:xmpp:receipts";

constexpr int kItems = 100;

// Bodies as people write them: mostly plain, some apostrophes, an ampersand, a little
// non-ASCII, one with markup-looking text.
const char* const kBodies[] = {
    "running late, the train is stuck between stations again",
    "don't wait for me, I'll grab something on the way & see you at eight",
    "Caf\xC3\xA9 at the corner? \xF0\x9F\x98\x80",
    "ok",
    "if x < y && y > z then \"it works\" - told you so",
    "Meeting moved to Thursday 14:00, room 3.12, bring the printed slides please",
};

std::string Id(int i)
{
    char id[40];
    std::snprintf(id, sizeof(id), "5f0c%04x-7a1e-4c2b-9d3e-%012x", i, i * 7919);
    return id;
}

Element Forwarded(int i)
{
    Element forwarded = Element::Named("forwarded", kForward);
    forwarded.AddChild(Element::Named("delay", kDelay))
        .SetAttr("stamp", "2026-11-22T04:22:41.000Z");
    Element& message = forwarded.AddChild(Element::Named("message", kClient));
    message.SetAttr("from", "elaine@example.org");
    message.SetAttr("to", "jerry@example.org");
    message.SetAttr("type", "chat");
    message.SetAttr("id", Id(i));
    message.AddChild(Element::Named("body", kClient)).AddText(kBodies[i % std::size(kBodies)]);
    message.AddChild(Element::Named("request", kReceipts));
    message.AddChild(Element::Named("origin-id", kSid)).SetAttr("id", Id(i));
    // An Ed25519 signature in base64 is 88 characters.
    message.AddChild(Element::Named("signature", kPigeon)).AddText(std::string(86, 'Q') + "==");
    return forwarded;
}

Element CarryRequest(const std::vector<Element>& forwardeds)
{
    Element iq = Element::Named("iq", kClient);
    iq.SetAttr("type", "set");
    iq.SetAttr("id", "carry-1");
    Element& carry = iq.AddChild(Element::Named("carry", kPigeon));
    for (const auto& forwarded : forwardeds) {
        Element& item = carry.AddChild(Element::Named("item", kPigeon));
        item.SetAttr("expires", "2026-11-29T04:22:41.000Z");
        item.SetAttr("copies", "4");
        item.AddChild(Element::Named("path", kPigeon))
            .AddChild(Element::Named("hop", kPigeon))
            .SetAttr("name", "elaine@laptop");
        item.AddChild(forwarded);
    }
    return iq;
}

std::uint64_t Fnv1a(std::string_view s, std::uint64_t h = 14695981039346656037ULL)
{
    for (const char c : s)
        h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return h;
}

// Best of several rounds of ns per call of work(); the best round is the one least disturbed by
// whatever else the machine does.
template <class Work> double NsPerCall(Work&& work)
{
    using Clock = std::chrono::steady_clock;
    double best = 1e300;
    for (int round = 0; round < 7; ++round) {
        int calls = 0;
        const auto start = Clock::now();
        auto elapsed = Clock::duration{};
        while (elapsed < std::chrono::milliseconds(150)) {
            work();
            ++calls;
            elapsed = Clock::now() - start;
        }
        best = std::min(best, std::chrono::duration<double, std::nano>(elapsed).count() / calls);
    }
    return best;
}

void Report(const char* what, double ns, double copy_ns, std::size_t bytes)
{
    std::printf("%-30s %10.0f ns  %7.1f MB/s  %6.1f x a plain copy of the %zu bytes\n", what, ns,
                bytes * 1e3 / ns, ns / copy_ns, bytes);
}

} // namespace

int main()
{
    std::vector<Element> forwardeds;
    for (int i = 0; i < kItems; ++i)
        forwardeds.push_back(Forwarded(i));
    const Element request = CarryRequest(forwardeds);

    std::string out = pigeon::xml::Serialize(request, kClient);
    const std::size_t request_bytes = out.size();
    std::uint64_t hash = Fnv1a(out);
    std::vector<std::string> outs;
    std::size_t forwarded_bytes = 0;
    for (const auto& f : forwardeds) {
        outs.push_back(pigeon::xml::Serialize(f));
        forwarded_bytes += outs.back().size();
        hash = Fnv1a(outs.back(), hash);
    }

    std::size_t sink = 0;
    const double request_ns =
        NsPerCall([&] { sink += pigeon::xml::Serialize(request, kClient).size(); });
    const double request_copy_ns = NsPerCall([&] { sink += std::string(out).size(); });
    const double forwarded_ns = NsPerCall([&] {
        for (const auto& f : forwardeds)
            sink += pigeon::xml::Serialize(f).size();
    });
    const double forwarded_copy_ns = NsPerCall([&] {
        for (const auto& one : outs)
            sink += std::string(one).size();
    });

    std::printf("output hash %016llx (must not change)\n", static_cast<unsigned long long>(hash));
    Report("carry request, 100 items", request_ns, request_copy_ns, request_bytes);
    Report("100 forwarded, one at a time", forwarded_ns, forwarded_copy_ns, forwarded_bytes);
    std::printf("per forwarded: %.0f ns\n", forwarded_ns / kItems);
    return sink == 0 ? 1 : 0;
}
