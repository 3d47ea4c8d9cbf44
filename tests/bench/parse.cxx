// What StreamParser costs on a carry request as a carrier receives it in a handoff: one <iq> of
// about 96 KiB holding 100 signed, sealed <item>s, fed in 16 KiB chunks. Prints microseconds a
// stanza for parsing into a tree and for freeing that tree, next to a bare libxml2 SAX2 pass
// over the same bytes (no tree, no checks) as the baseline; then the same for the request as
// it was sent before its namespace prefixes were declared once on the <iq> (each item's
// elements declaring their own namespaces), and the two against each other. Figures only, no
// assertion.
// BENCH_ROUNDS (default 400) sets the stanzas a round; the median of 7 rounds is printed.

#include "xml/StreamParser.hxx"

#include <libxml/parser.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using pigeon::xml::StreamParser;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kItems = 100;
constexpr std::size_t kStanzaBytes = 96 * 1024;
constexpr std::size_t kChunkBytes = 16 * 1024;
constexpr int kRounds = 7;

constexpr std::string_view kHeader =
    "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"
    " from='elaine@laptop' to='kramer@phone' version='1.0'>";

std::string Base64Like(std::size_t n, std::size_t seed)
{
    constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out(n, 'A');
    for (std::size_t i = 0; i < n; ++i)
        out[i] = kAlphabet[(i * 7 + seed * 13 + i / 5) % kAlphabet.size()];
    return out;
}

// One <item> as Handoff sends it (prefixed: with the prefixes of link::CarryPrefixes declared
// on the <iq>; else each element declares its namespace); `sealed` bytes of base64 pad it to
// the size wanted.
std::string Item(std::size_t i, std::size_t sealed, bool prefixed)
{
    const std::string id = "oid-" + Base64Like(18, i);
    const auto tag = [prefixed](std::string_view prefix, std::string_view name,
                                std::string_view ns) {
        return prefixed ? std::string(prefix) + ":" + std::string(name)
                        : std::string(name) + " xmlns='" + std::string(ns) + "'";
    };
    const std::string client = prefixed ? "c:" : "";
    return "<item expires='2026-11-29T04:22:41.000Z' copies='4'>"
           "<path><hop name='elaine@laptop'/></path>"
           "<" +
           tag("f", "forwarded", "urn:xmpp:forward:0") +
           ">"
           "<" +
           tag("d", "delay", "urn:xmpp:delay") +
           " stamp='2026-11-22T04:22:41.000Z'/>"
           "<" +
           tag("c", "message", "jabber:client") +
           " from='elaine@example.org' to='jerry@example.org' type='chat' id='" + id + "'><" +
           client + "body>[This message is encrypted end to end for its recipient's pigeon.]</" +
           client + "body><" + tag("r", "request", "urn:xmpp:receipts") +
           "/>"
           "<" +
           tag("s", "origin-id", "urn:xmpp:sid:0") + " id='" + id + "'/>" +
           (prefixed ? "<sealed>" : "<sealed xmlns='urn:xmpp:pigeon:0'>") + Base64Like(sealed, i) +
           (prefixed ? "</sealed><signature>" : "</sealed><signature xmlns='urn:xmpp:pigeon:0'>") +
           Base64Like(88, i + 1) + "</signature></" + client + "message></" +
           (prefixed ? "f:" : "") + "forwarded></item>";
}

std::string CarryRequest(bool prefixed)
{
    const std::string open =
        prefixed ? "<iq xmlns:f='urn:xmpp:forward:0' xmlns:d='urn:xmpp:delay' "
                   "xmlns:c='jabber:client' xmlns:r='urn:xmpp:receipts' xmlns:s='urn:xmpp:sid:0' "
                   "type='set' id='carry-1'><carry xmlns='urn:xmpp:pigeon:0'>"
                 : "<iq type='set' id='carry-1'><carry xmlns='urn:xmpp:pigeon:0'>";
    const std::string close = "</carry></iq>";
    // Items as large in both forms: what the prefixes save goes to the sealed payload.
    const std::size_t bare = Item(0, 0, prefixed).size();
    const std::size_t room = (kStanzaBytes - open.size() - close.size()) / kItems;
    std::string out = open;
    for (std::size_t i = 0; i < kItems; ++i)
        out += Item(i, room - bare, prefixed);
    return out + close;
}

void Feed(StreamParser& parser, std::string_view bytes, std::vector<StreamParser::Event>& out)
{
    for (std::size_t at = 0; at < bytes.size(); at += kChunkBytes)
        for (auto& e : parser.Feed(bytes.substr(at, kChunkBytes)))
            out.push_back(std::move(e));
}

struct Figures {
    double parse_us;
    double free_us;
};

// Each stanza is freed right after it is parsed, as the carrier does once it has taken it.
Figures ParseRound(std::string_view stanza, int stanzas)
{
    StreamParser parser;
    std::vector<StreamParser::Event> events;
    Feed(parser, kHeader, events);
    Clock::duration parsing{};
    Clock::duration freeing{};
    for (int i = 0; i < stanzas; ++i) {
        events.clear();
        const auto t0 = Clock::now();
        Feed(parser, stanza, events);
        const auto t1 = Clock::now();
        if (events.size() != 1 || events[0].kind != StreamParser::Event::Kind::Stanza) {
            std::fprintf(stderr, "parse: %zu events for one stanza\n", events.size());
            std::exit(1);
        }
        events.clear();
        parsing += t1 - t0;
        freeing += Clock::now() - t1;
    }
    const auto us = [stanzas](Clock::duration d) {
        return std::chrono::duration<double, std::micro>(d).count() / stanzas;
    };
    return {us(parsing), us(freeing)};
}

// The same bytes through libxml2 alone: SAX2 callbacks that do nothing.
double BareRound(std::string_view stanza, int stanzas)
{
    xmlSAXHandler sax{};
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = [](void*, const xmlChar*, const xmlChar*, const xmlChar*, int,
                            const xmlChar**, int, int, const xmlChar**) {};
    sax.endElementNs = [](void*, const xmlChar*, const xmlChar*, const xmlChar*) {};
    sax.characters = [](void*, const xmlChar*, int) {};
    xmlParserCtxt* ctxt = xmlCreatePushParserCtxt(&sax, nullptr, nullptr, 0, nullptr);
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_IGNORE_ENC);
    const auto feed = [ctxt](std::string_view bytes) {
        // StreamParser hands libxml2 4 KiB at a time; so does the baseline.
        for (std::size_t at = 0; at < bytes.size(); at += 4096) {
            const std::string_view piece = bytes.substr(at, 4096);
            xmlParseChunk(ctxt, piece.data(), static_cast<int>(piece.size()), 0);
        }
    };
    feed(kHeader);
    const auto t0 = Clock::now();
    for (int i = 0; i < stanzas; ++i)
        feed(stanza);
    const auto t1 = Clock::now();
    const bool ok = ctxt->wellFormed != 0;
    xmlFreeParserCtxt(ctxt);
    if (!ok) {
        std::fprintf(stderr, "parse: libxml2 baseline found the stanza not well formed\n");
        std::exit(1);
    }
    return std::chrono::duration<double, std::micro>(t1 - t0).count() / stanzas;
}

double Median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

struct Measured {
    std::size_t bytes;
    double parse_us;
    double free_us;
    double bare_us;
};

Measured Measure(const std::string& stanza, int stanzas)
{
    ParseRound(stanza, std::max(1, stanzas / 10)); // warm the allocator and caches
    std::vector<double> parse;
    std::vector<double> free;
    std::vector<double> bare;
    for (int r = 0; r < kRounds; ++r) {
        const Figures f = ParseRound(stanza, stanzas);
        parse.push_back(f.parse_us);
        free.push_back(f.free_us);
        bare.push_back(BareRound(stanza, stanzas));
    }
    return {stanza.size(), Median(parse), Median(free), Median(bare)};
}

void Print(const char* form, const Measured& m)
{
    std::printf("%s: %zu bytes\n", form, m.bytes);
    std::printf("StreamParser, parse into a tree: %8.1f us a stanza (%.0f MB/s)\n", m.parse_us,
                double(m.bytes) / m.parse_us);
    std::printf("freeing the tree:                %8.1f us a stanza\n", m.free_us);
    std::printf("bare libxml2 SAX2 (baseline):    %8.1f us a stanza (%.0f MB/s)\n", m.bare_us,
                double(m.bytes) / m.bare_us);
    std::printf("(parse + free) / baseline:       %8.2f\n", (m.parse_us + m.free_us) / m.bare_us);
}

} // namespace

int main()
{
    const char* rounds_env = std::getenv("BENCH_ROUNDS");
    const int stanzas = rounds_env != nullptr ? std::max(1, std::atoi(rounds_env)) : 400;
    std::printf("carry request: %zu items, %zu-byte chunks; %d stanzas a round, median of %d "
                "rounds\n",
                kItems, kChunkBytes, stanzas, kRounds);
    const Measured now = Measure(CarryRequest(true), stanzas);
    const Measured before = Measure(CarryRequest(false), stanzas);
    Print("as sent, prefixes declared once", now);
    Print("as sent before, namespaces declared on each element", before);
    std::printf("parse + free, now / before:      %8.2f\n",
                (now.parse_us + now.free_us) / (before.parse_us + before.free_us));
    return 0;
}
