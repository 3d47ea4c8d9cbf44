#include "xml/Serializer.hxx"
#include "xml/Utf8.hxx"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pigeon::xml {

namespace {

constexpr std::string_view kStreamPrefix = "stream";

// Throws unless s is UTF-8 made only of characters XML 1.0 allows.
void CheckChars(std::string_view s, std::string_view what)
{
    if (const auto problem = TextProblem(s))
        throw std::invalid_argument(std::string{what} + ": " + *problem);
}

// What a byte needs when it is written: nothing, an entity, or a closer look (a byte that starts
// a multi-byte character, or a control character XML may forbid).
enum class ByteKind : unsigned char { Plain, Escape, Check };
using ByteTable = std::array<ByteKind, 256>;

// Escapes what XML would otherwise read differently: markup everywhere; in
// attributes also quotes and whitespace, which value normalization would
// turn into spaces; a raw CR anywhere, which end-of-line handling makes LF.
constexpr ByteTable MakeByteTable(bool attribute)
{
    ByteTable table{};
    for (unsigned b = 0; b < 256; ++b) {
        const bool markup = b == '&' || b == '<' || b == '>' || b == '\r';
        const bool normalized = b == '\'' || b == '"' || b == '\t' || b == '\n';
        if (markup || (attribute && normalized))
            table[b] = ByteKind::Escape;
        else if ((b < 0x20 && !normalized) || b >= 0x80)
            table[b] = ByteKind::Check;
        else
            table[b] = ByteKind::Plain;
    }
    return table;
}

constexpr ByteTable kTextBytes = MakeByteTable(false);
constexpr ByteTable kAttributeBytes = MakeByteTable(true);

constexpr std::string_view Entity(char c) noexcept
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '\r':
        return "&#13;";
    case '\'':
        return "&apos;";
    case '"':
        return "&quot;";
    case '\t':
        return "&#9;";
    default: // '\n', the only other byte a table marks Escape
        return "&#10;";
    }
}

// Throws what CheckChars would for s, which the caller found to hold a character XML forbids.
[[noreturn]] void ThrowTextProblem(std::string_view s, const std::string& what)
{
    CheckChars(s, what);
    throw std::invalid_argument(what + ": it contains a character XML does not allow");
}

// Whether the 8 bytes in word may hold one that a ByteTable does not mark Plain: a control
// character, a byte of a multi-byte character, one of & < >, or, when quotes, one of ' ". Never
// false when one does (the usual has-a-zero-byte bit trick, which errs only towards true), so
// whole words of plain text are passed over 8 bytes at a time.
constexpr bool MaybeSpecial(std::uint64_t word, bool quotes) noexcept
{
    constexpr std::uint64_t kOnes = 0x0101010101010101;
    constexpr std::uint64_t kHighs = 0x8080808080808080;
    const auto has_zero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHighs; };
    const auto has_byte = [&](char c) { return has_zero(word ^ (kOnes * std::uint8_t(c))); };
    return ((word | ((word - kOnes * 0x20) & ~word)) & kHighs) != 0 || has_byte('&') ||
           has_byte('<') || has_byte('>') || (quotes && (has_byte('\'') || has_byte('"')));
}

std::uint64_t Load8(const char* p) noexcept
{
    std::uint64_t word = 0;
    std::memcpy(&word, p, sizeof(word));
    return word;
}

#if defined(__SSE2__)
// One bit for each of the 16 bytes at p that may need something, the bytes MaybeSpecial looks
// for: a signed compare with 0x20 finds control characters and every byte of a multi-byte
// character at once. Text is mostly long runs of plain bytes (base64 seals, bodies), where this
// takes about a quarter of the word trick's instructions a byte.
unsigned SpecialMask16(const char* p, bool quotes) noexcept
{
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const auto is = [&](char c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(c)); };
    __m128i hit = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)), is('&'));
    hit = _mm_or_si128(hit, _mm_or_si128(is('<'), is('>')));
    if (quotes)
        hit = _mm_or_si128(hit, _mm_or_si128(is('\''), is('"')));
    return static_cast<unsigned>(_mm_movemask_epi8(hit));
}
#endif

// From p on, past whole blocks of bytes that need nothing; at a byte that may need something,
// the start of a word that may hold one, or fewer than 8 bytes before end.
const char* SkipPlainBlocks(const char* p, const char* const end, bool quotes) noexcept
{
#if defined(__SSE2__)
    for (; end - p >= 16; p += 16)
        if (const unsigned mask = SpecialMask16(p, quotes); mask != 0)
            return p + std::countr_zero(mask);
#endif
    while (end - p >= 8 && !MaybeSpecial(Load8(p), quotes))
        p += 8;
    return p;
}

// The first byte from p on that table does not mark Plain, or end.
const char* SkipPlain(const char* p, const char* const end, const ByteTable& table) noexcept
{
    const bool quotes = table['"'] != ByteKind::Plain;
    for (;;) {
        p = SkipPlainBlocks(p, end, quotes);
        if (p == end)
            return end;
        const char* const stop = end - p >= 8 ? p + 8 : end;
        while (p != stop && table[static_cast<unsigned char>(*p)] == ByteKind::Plain)
            ++p;
        if (p != stop || p == end)
            return p;
    }
}

// Appends s escaped by table, in runs between the bytes that need something; throws as
// CheckChars(s, what()) would. what is called only then: building it costs an allocation.
template <class What>
void AppendChecked(std::string& out, std::string_view s, const ByteTable& table, What what)
{
    const char* p = s.data();
    const char* const end = p + s.size();
    while (p != end) {
        const char* const run = p;
        p = SkipPlain(p, end, table);
        out.append(run, static_cast<std::size_t>(p - run));
        if (p == end)
            break;
        if (table[static_cast<unsigned char>(*p)] == ByteKind::Escape) {
            out += Entity(*p++);
            continue;
        }
        // Decoding character by character, as TextProblem does, finds the same first problem.
        char32_t cp = 0;
        const std::size_t length = DecodeUtf8({p, static_cast<std::size_t>(end - p)}, cp);
        if (length == 0 || !IsXmlChar(cp))
            ThrowTextProblem(s, what());
        out.append(p, length);
        p += length;
    }
}

constexpr auto kNameBytes = [] {
    std::array<bool, 256> table{};
    for (unsigned b = 0; b < 256; ++b)
        table[b] = b >= 0x80 || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
                   (b >= '0' && b <= '9') || b == '-' || b == '.' || b == '_';
    return table;
}();

// A deliberately simple approximation of the XML NCName production: it refuses every ASCII
// character a name cannot hold, and leaves non-ASCII letters to the peer.
void CheckName(std::string_view name, std::string_view what)
{
    bool ok = !name.empty();
    unsigned char high = 0;
    for (const char c : name) {
        const auto b = static_cast<unsigned char>(c);
        ok = ok && kNameBytes[b];
        high |= b;
    }
    if (ok) {
        const char first = name.front();
        ok = first != '-' && first != '.' && !(first >= '0' && first <= '9');
    }
    if (!ok || ((high & 0x80) != 0 && !IsValidUtf8(name)))
        throw std::invalid_argument("invalid " + std::string{what} + " name '" + std::string{name} +
                                    "'");
}

// Bytes the element will take, not counting escapes (so a lower bound): reserving it once spares
// the output the copies of growing from empty.
std::size_t EstimateSize(const Element& node, std::string_view default_ns) noexcept
{
    if (node.IsText())
        return node.text.size();
    std::size_t size = 2 * node.name.size() + 5 + 8; // <name ...></name>, room for "stream:"
    if (node.ns != default_ns)
        size += node.ns.size() + 9;
    for (const auto& a : node.attrs)
        size += a.name.size() + a.value.size() + 4;
    for (const auto& child : node.children)
        size += EstimateSize(child, node.ns);
    return size;
}

class Writer {
public:
    std::string out;

    void WriteNode(const Element& node, std::string_view default_ns,
                   std::span<const NamespacePrefix> declare = {});

    // Writes " xmlns:prefix='ns'" unless that binding is already in scope.
    void Bind(std::string_view prefix, std::string_view ns, std::size_t element_mark);

    // Writes attrs with the declarations their prefixes need; bindings made here are added to
    // the scope from element_mark on.
    void WriteAttributes(const std::vector<Attribute>& attrs, std::size_t element_mark);

    void WriteNamespaceDecl(std::string_view prefix, std::string_view ns);

    struct Binding {
        std::string_view prefix;
        std::string_view ns;
    };
    // Prefix bindings of the elements being written, innermost last.
    std::vector<Binding> scope;

private:
    // The prefix in scope that stands for ns, if one does.
    std::optional<std::string_view> PrefixOf(std::string_view ns) const noexcept
    {
        for (auto it = scope.rbegin(); it != scope.rend(); ++it)
            if (it->ns == ns && Lookup(it->prefix) == ns)
                return it->prefix;
        return std::nullopt;
    }
    // Puts `declare` in scope from element_mark on (written by WriteNode).
    void Declare(std::span<const NamespacePrefix> declare, std::size_t element_mark);

    std::optional<std::string_view> Lookup(std::string_view prefix) const noexcept
    {
        for (auto it = scope.rbegin(); it != scope.rend(); ++it)
            if (it->prefix == prefix)
                return it->ns;
        return std::nullopt;
    }
};

void Writer::WriteNamespaceDecl(std::string_view prefix, std::string_view ns)
{
    out += prefix.empty() ? " xmlns='" : " xmlns:";
    if (!prefix.empty()) {
        out += prefix;
        out += "='";
    }
    AppendChecked(out, ns, kAttributeBytes, [] { return std::string{"namespace"}; });
    out += '\'';
}

void Writer::Bind(std::string_view prefix, std::string_view ns, std::size_t element_mark)
{
    if (Lookup(prefix) == ns)
        return;
    for (std::size_t i = element_mark; i < scope.size(); ++i)
        if (scope[i].prefix == prefix)
            throw std::invalid_argument("prefix '" + std::string{prefix} +
                                        "' bound to two namespaces on one element");
    scope.push_back({prefix, ns});
    WriteNamespaceDecl(prefix, ns);
}

void Writer::WriteAttributes(const std::vector<Attribute>& attrs, std::size_t element_mark)
{
    for (auto a = attrs.begin(); a != attrs.end(); ++a) {
        const std::size_t colon = a->name.find(':');
        const std::string_view prefix = colon == std::string::npos
                                            ? std::string_view{}
                                            : std::string_view{a->name}.substr(0, colon);
        const std::string_view local = colon == std::string::npos
                                           ? std::string_view{a->name}
                                           : std::string_view{a->name}.substr(colon + 1);
        CheckName(local, "attribute");
        if (a->name == "xmlns" || prefix == "xmlns")
            throw std::invalid_argument("attribute '" + a->name +
                                        "': namespaces are set through ns members");
        for (auto b = attrs.begin(); b != a; ++b)
            if (b->name == a->name ||
                (!a->ns.empty() && b->ns == a->ns &&
                 std::string_view{b->name}.substr(b->name.find(':') + 1) == local))
                throw std::invalid_argument("duplicate attribute '" + a->name + "'");

        if (prefix.empty()) {
            if (!a->ns.empty())
                throw std::invalid_argument("attribute '" + a->name +
                                            "' has a namespace but no prefix");
        } else if (prefix == "xml") {
            if (!a->ns.empty() && a->ns != kXmlNs)
                throw std::invalid_argument("attribute '" + a->name +
                                            "': the xml prefix cannot be rebound");
        } else {
            CheckName(prefix, "prefix");
            if (a->ns.empty())
                throw std::invalid_argument("attribute '" + a->name +
                                            "' has a prefix but no namespace");
            Bind(prefix, a->ns, element_mark);
        }

        out += ' ';
        out += a->name;
        out += "='";
        AppendChecked(out, a->value, kAttributeBytes,
                      [&] { return "value of attribute '" + a->name + "'"; });
        out += '\'';
    }
}

void Writer::Declare(std::span<const NamespacePrefix> declare, std::size_t element_mark)
{
    for (const auto& d : declare) {
        CheckName(d.prefix, "prefix");
        if (d.prefix == "xml" || d.prefix == "xmlns" || d.ns.empty())
            throw std::invalid_argument("prefix '" + std::string{d.prefix} +
                                        "' cannot be declared for '" + std::string{d.ns} + "'");
        for (std::size_t i = element_mark; i < scope.size(); ++i)
            if (scope[i].prefix == d.prefix)
                throw std::invalid_argument("prefix '" + std::string{d.prefix} +
                                            "' declared twice");
        scope.push_back({d.prefix, d.ns});
    }
}

void Writer::WriteNode(const Element& node, std::string_view default_ns,
                       std::span<const NamespacePrefix> declare)
{
    if (node.IsText()) {
        AppendChecked(out, node.text, kTextBytes, [] { return std::string{"text"}; });
        return;
    }
    CheckName(node.name, "element");

    const std::size_t element_mark = scope.size();
    Declare(declare, element_mark);
    const bool stream_element = node.ns == kStreamsNs;
    std::string_view child_default = default_ns;
    std::string_view prefix = stream_element ? kStreamPrefix : std::string_view{};
    if (!stream_element && node.ns != default_ns)
        prefix = PrefixOf(node.ns).value_or(std::string_view{});
    const auto write_name = [&] {
        if (!prefix.empty()) {
            out += prefix;
            out += ':';
        }
        out += node.name;
    };
    out += '<';
    write_name();
    for (const auto& d : declare)
        WriteNamespaceDecl(d.prefix, d.ns);
    if (stream_element) {
        Bind(kStreamPrefix, kStreamsNs, element_mark);
    } else if (node.ns != default_ns && prefix.empty()) {
        WriteNamespaceDecl({}, node.ns);
        child_default = node.ns;
    }
    WriteAttributes(node.attrs, element_mark);

    if (node.children.empty()) {
        out += "/>";
    } else {
        out += '>';
        for (const auto& child : node.children)
            WriteNode(child, child_default);
        out += "</";
        write_name();
        out += '>';
    }
    scope.resize(element_mark);
}

} // namespace

std::string Serialize(const Element& element, std::string_view context_ns,
                      std::span<const NamespacePrefix> prefixes)
{
    Writer w;
    w.out.reserve(EstimateSize(element, context_ns));
    w.WriteNode(element, context_ns, prefixes);
    return std::move(w.out);
}

std::string StreamOpenTag(const StreamHeader& header)
{
    Writer w;
    w.out = "<?xml version='1.0'?><stream:stream";
    if (!header.content_ns.empty())
        w.WriteNamespaceDecl({}, header.content_ns);
    w.Bind(kStreamPrefix, kStreamsNs, 0);
    w.WriteAttributes(header.attrs, 0);
    w.out += '>';
    return std::move(w.out);
}

std::string StreamCloseTag()
{
    return "</stream:stream>";
}

} // namespace pigeon::xml
