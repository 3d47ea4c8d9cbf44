#include "xml/StreamParser.hxx"

#include "xml/Prolog.hxx"
#include "xml/Utf8.hxx"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <iterator>
#include <new>
#include <optional>
#include <utility>

namespace pigeon::xml {

namespace {

// libxml2 gets the input in pieces no larger than this, so that the size limit is checked often
// and libxml2 never buffers much more than one stanza's worth.
constexpr std::size_t kSubChunkBytes = 4096;

// libxml2 2.12 made the structured error argument const.
#if LIBXML_VERSION >= 21200
using ErrorArg = const xmlError*;
#else
using ErrorArg = xmlError*;
#endif

struct CtxtDeleter {
    void operator()(xmlParserCtxt* c) const noexcept { xmlFreeParserCtxt(c); }
};

std::string_view View(const xmlChar* s) noexcept
{
    return s != nullptr ? std::string_view{reinterpret_cast<const char*>(s)} : std::string_view{};
}

bool IsAllSpace(std::string_view s) noexcept
{
    return std::all_of(s.begin(), s.end(), IsXmlSpace);
}

std::string_view ConditionFor(const xmlError& e) noexcept
{
    switch (e.code) {
    case XML_NS_ERR_UNDEFINED_NAMESPACE:
        return "bad-namespace-prefix";
    case XML_ERR_NO_MEMORY:
        return "resource-constraint";
    case XML_ERR_UNSUPPORTED_ENCODING:
    case XML_ERR_UNKNOWN_ENCODING:
        return "unsupported-encoding";
    // Malformed forms of constructs that are forbidden even when well formed.
    case XML_ERR_UNDECLARED_ENTITY:
    case XML_ERR_COMMENT_NOT_FINISHED:
    case XML_ERR_HYPHEN_IN_COMMENT:
    case XML_ERR_PI_NOT_STARTED:
    case XML_ERR_PI_NOT_FINISHED:
    case XML_ERR_RESERVED_XML_NAME:
    case XML_ERR_DOCTYPE_NOT_FINISHED:
        return "restricted-xml";
    default:
        return "not-well-formed";
    }
}

// libxml2 hands attribute values to SAX2 with "&" (from &amp; or &#38;) re-encoded as "&#38;"
// unless entity substitution is on, which we never turn on. No other "&" can be left in a
// value, so every "&" starts exactly that sequence.
std::string AttributeValue(const xmlChar* begin, const xmlChar* end)
{
    const std::string_view raw{reinterpret_cast<const char*>(begin),
                               static_cast<std::size_t>(end - begin)};
    constexpr std::string_view kAmp = "&#38;";
    std::string out;
    out.reserve(raw.size());
    std::size_t pos = 0;
    for (std::size_t amp = raw.find('&'); amp != std::string_view::npos; amp = raw.find('&', pos)) {
        out.append(raw.substr(pos, amp - pos));
        out += '&';
        pos = raw.substr(amp).starts_with(kAmp) ? amp + kAmp.size() : amp + 1;
    }
    out.append(raw.substr(pos));
    return out;
}

// What OnRestricted says for each construct RFC 6120 section 11 forbids.
constexpr char kComment[] = "comment";
constexpr char kPi[] = "processing instruction";
constexpr char kDoctype[] = "document type declaration";
constexpr char kEntityDecl[] = "entity declaration";
constexpr char kNotationDecl[] = "notation declaration";
constexpr char kEntityRef[] = "entity reference";
constexpr char kExternalEntity[] = "external entity";

std::string QualifiedName(const xmlChar* prefix, const xmlChar* local)
{
    if (prefix == nullptr)
        return std::string{View(local)};
    return std::string{View(prefix)}.append(":").append(View(local));
}

} // namespace

struct StreamParser::Impl {
    explicit Impl(StreamLimits l) : limits(l) { Start(); }

    StreamLimits limits;
    std::unique_ptr<xmlParserCtxt, CtxtDeleter> ctxt;
    Utf8Validator utf8;
    // Until the byte order mark and XML declaration have been checked, input waits here.
    Prolog prolog;
    // Bytes handed to libxml2 in this document, and libxml2's position just after the last
    // event: their difference is what the size limit applies to.
    std::size_t fed = 0;
    std::size_t last_event_end = 0;
    unsigned open_elements = 0;
    // The current stanza, flat: each open element (outermost first), each followed by the
    // children it has so far; open_at holds the open ones' indexes. An element's children get
    // one exact allocation when it ends, and then it is its parent's last child. These vectors
    // keep their capacity from one stanza to the next, unless that was a very large one.
    std::vector<Element> nodes;
    std::vector<std::size_t> open_at;
    std::vector<Event> events;
    std::optional<StreamError> error;
    bool out_of_memory = false;

    void Start();
    std::vector<Event> Feed(std::string_view chunk);

private:
    std::size_t Pending() const noexcept { return fed - last_event_end + prolog.Held(); }
    bool Failed() const noexcept { return error.has_value() || out_of_memory; }
    [[noreturn]] void ThrowError();
    void Fail(const StreamError& e);
    void Fail(std::string_view condition, std::string detail);
    void CheckBytes(std::string_view bytes);
    std::optional<std::string> TakeCheckedProlog(std::string_view bytes);
    void Parse(std::string_view bytes);
    void CheckNames();
    std::size_t Consumed() const noexcept;
    void MarkEventEnd() noexcept { last_event_end = Consumed(); }

    // Runs a callback body; nothing may escape into libxml2.
    template <typename F> void Guard(F&& body) noexcept
    {
        if (Failed())
            return;
        try {
            body();
        } catch (...) {
            out_of_memory = true;
            xmlStopParser(ctxt.get());
        }
    }

    void OnStartElement(const xmlChar* local, const xmlChar* uri, int nb_namespaces,
                        const xmlChar** namespaces, int nb_attributes,
                        const xmlChar** attributes) noexcept;
    void OnEndElement() noexcept;
    void OnCharacters(std::string_view text) noexcept;
    void OnRestricted(const char* what) noexcept;
    void OnError(const xmlError& e) noexcept;

    static Impl& Self(void* user_data) noexcept { return *static_cast<Impl*>(user_data); }

    static void StartElementNs(void* user_data, const xmlChar* local, const xmlChar* /*prefix*/,
                               const xmlChar* uri, int nb_namespaces, const xmlChar** namespaces,
                               int nb_attributes, int /*nb_defaulted*/,
                               const xmlChar** attributes) noexcept
    {
        Self(user_data).OnStartElement(local, uri, nb_namespaces, namespaces, nb_attributes,
                                       attributes);
    }
    static void EndElementNs(void* user_data, const xmlChar*, const xmlChar*,
                             const xmlChar*) noexcept
    {
        Self(user_data).OnEndElement();
    }
    static void Characters(void* user_data, const xmlChar* ch, int len) noexcept
    {
        Self(user_data).OnCharacters(
            {reinterpret_cast<const char*>(ch), static_cast<std::size_t>(len)});
    }
    // Any SAX callback of a forbidden construct; one that returns an entity returns nullptr.
    template <const char* What, typename R = void, typename... Args>
    static R Refuse(void* user_data, Args...) noexcept
    {
        Self(user_data).OnRestricted(What);
        return R();
    }
    static void StructuredError(void* user_data, ErrorArg e) noexcept
    {
        if (e != nullptr)
            Self(user_data).OnError(*e);
    }
};

void StreamParser::Impl::Start()
{
    // Once per process and before any parsing; a function-local static is thread-safe.
    [[maybe_unused]] static const bool initialized = (xmlInitParser(), true);

    xmlSAXHandler sax{};
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = StartElementNs;
    sax.endElementNs = EndElementNs;
    sax.characters = Characters;
    sax.ignorableWhitespace = Characters;
    sax.cdataBlock = Characters;
    sax.comment = Refuse<kComment>;
    sax.processingInstruction = Refuse<kPi>;
    sax.internalSubset = Refuse<kDoctype>;
    sax.externalSubset = Refuse<kDoctype>;
    sax.entityDecl = Refuse<kEntityDecl>;
    sax.unparsedEntityDecl = Refuse<kEntityDecl>;
    sax.notationDecl = Refuse<kNotationDecl>;
    // libxml2 resolves the five predefined entities itself and asks only about the others.
    sax.getEntity = Refuse<kEntityRef>;
    sax.getParameterEntity = Refuse<kEntityRef>;
    sax.reference = Refuse<kEntityRef>;
    sax.resolveEntity = Refuse<kExternalEntity>;
    // Errors come to us, per context; libxml2 then prints nothing.
    sax.serror = StructuredError;

    // No XML_PARSE_NOENT, XML_PARSE_HUGE, XML_PARSE_DTDLOAD or XML_PARSE_DTDATTR. The encoding
    // is UTF-8, checked by us; IGNORE_ENC keeps libxml2 from switching on a declaration.
    constexpr int kOptions = XML_PARSE_NONET | XML_PARSE_IGNORE_ENC;

    std::unique_ptr<xmlParserCtxt, CtxtDeleter> c{
        xmlCreatePushParserCtxt(&sax, this, nullptr, 0, nullptr)};
    if (c == nullptr || xmlCtxtUseOptions(c.get(), kOptions) != 0 ||
        xmlSwitchEncoding(c.get(), XML_CHAR_ENCODING_UTF8) != 0)
        throw std::bad_alloc{};
    // Process-wide defaults (xmlSubstituteEntitiesDefault and friends) must not leak in.
    c->replaceEntities = 0;
    c->loadsubset = 0;
    c->validate = 0;

    ctxt = std::move(c);
    utf8.Reset();
    prolog.Reset();
    fed = 0;
    last_event_end = 0;
    open_elements = 0;
    nodes.clear();
    open_at.clear();
    events.clear();
    error.reset();
    out_of_memory = false;
}

void StreamParser::Impl::ThrowError()
{
    if (!error && out_of_memory)
        error.emplace("resource-constraint", "out of memory while parsing");
    throw *error;
}

void StreamParser::Impl::Fail(const StreamError& e)
{
    if (!error)
        error = e;
    xmlStopParser(ctxt.get());
}

void StreamParser::Impl::Fail(std::string_view condition, std::string detail)
{
    Fail(StreamError{std::string{condition}, detail});
}

std::vector<StreamParser::Event> StreamParser::Impl::Feed(std::string_view chunk)
{
    if (Failed())
        ThrowError();
    events.clear();
    while (!chunk.empty()) {
        // Never feed more than one byte past the limit before checking it.
        const std::size_t budget = limits.max_stanza_bytes + 1 - Pending();
        const std::size_t n = std::min({chunk.size(), kSubChunkBytes, budget});
        const std::string_view piece = chunk.substr(0, n);
        chunk.remove_prefix(n);

        CheckBytes(piece);
        if (!prolog.Checked()) {
            if (const auto ready = TakeCheckedProlog(piece))
                Parse(*ready);
        } else {
            Parse(piece);
        }
        if (!Failed() && Pending() > limits.max_stanza_bytes)
            Fail("policy-violation",
                 "stanza larger than " + std::to_string(limits.max_stanza_bytes) + " bytes");
        if (Failed())
            ThrowError();
    }
    return std::exchange(events, {});
}

void StreamParser::Impl::CheckBytes(std::string_view bytes)
{
    // A NUL byte is how UTF-16 and UTF-32 show up in what should be UTF-8; libxml2 would also
    // read it as the end of its buffer.
    if (bytes.find('\0') != std::string_view::npos)
        Fail("unsupported-encoding", "NUL byte (UTF-16 or UTF-32?)");
    else if (!utf8.Feed(bytes))
        Fail("unsupported-encoding", "invalid UTF-8");
}

// The start of the document reaches libxml2 only once Prolog has judged it.
std::optional<std::string> StreamParser::Impl::TakeCheckedProlog(std::string_view bytes)
{
    if (Failed())
        return std::nullopt;
    try {
        return prolog.Take(bytes);
    } catch (const StreamError& e) {
        Fail(e);
        return std::nullopt;
    }
}

void StreamParser::Impl::Parse(std::string_view bytes)
{
    while (!bytes.empty() && !Failed()) {
        // xmlParseChunk takes an int; pieces are small but the prolog may not be.
        const std::size_t n = std::min(bytes.size(), kSubChunkBytes);
        fed += n;
        xmlParseChunk(ctxt.get(), bytes.data(), static_cast<int>(n), 0);
        bytes.remove_prefix(n);
        // Every error should have come through OnError; this catches one that did not. The
        // return value is no help: it also reports warnings.
        if (!Failed() && ctxt->wellFormed == 0)
            Fail("not-well-formed", "libxml2 error " + std::to_string(ctxt->errNo));
        else if (!Failed())
            CheckNames();
    }
}

// After every piece of at most kSubChunkBytes: the dictionary grew by one piece at most.
void StreamParser::Impl::CheckNames()
{
    const int names = xmlDictSize(ctxt->dict);
    if (std::size_t(std::max(names, 0)) > limits.max_names)
        Fail("policy-violation",
             "more than " + std::to_string(limits.max_names) + " distinct names in one stream");
    else if (xmlDictGetUsage(ctxt->dict) > limits.max_name_bytes)
        Fail("policy-violation", "names in this stream take more than " +
                                     std::to_string(limits.max_name_bytes) + " bytes");
}

std::size_t StreamParser::Impl::Consumed() const noexcept
{
    const long consumed = xmlByteConsumed(ctxt.get());
    return consumed > 0 ? static_cast<std::size_t>(consumed) : 0;
}

void StreamParser::Impl::OnStartElement(const xmlChar* local, const xmlChar* uri, int nb_namespaces,
                                        const xmlChar** namespaces, int nb_attributes,
                                        const xmlChar** attributes) noexcept
{
    Guard([&] {
        const unsigned depth = open_elements;
        if (depth > limits.max_depth) {
            Fail("policy-violation",
                 "elements nested deeper than " + std::to_string(limits.max_depth));
            return;
        }
        ++open_elements;

        // attributes holds five pointers per attribute: local name, prefix, URI, value begin
        // and value end.
        std::vector<Attribute> attrs;
        attrs.reserve(static_cast<std::size_t>(nb_attributes));
        for (int i = 0; i < nb_attributes; ++i) {
            const xmlChar** a = attributes + 5 * i;
            attrs.push_back(
                {QualifiedName(a[1], a[0]), AttributeValue(a[3], a[4]), std::string{View(a[2])}});
        }

        if (depth == 0) {
            if (View(local) != "stream" || View(uri) != kStreamsNs) {
                Fail("invalid-namespace", "root element is {" + std::string{View(uri)} + "}" +
                                              std::string{View(local)} + ", not a stream");
                return;
            }
            Event open{Event::Kind::Open, {}, {}};
            // namespaces holds (prefix, URI) pairs; the default namespace has no prefix.
            for (int i = 0; i < nb_namespaces; ++i)
                if (namespaces[2 * i] == nullptr)
                    open.header.content_ns = View(namespaces[2 * i + 1]);
            open.header.attrs = std::move(attrs);
            events.push_back(std::move(open));
            MarkEventEnd();
            return;
        }

        open_at.push_back(nodes.size());
        nodes.emplace_back(std::string{View(local)}, std::string{View(uri)}).attrs =
            std::move(attrs);
    });
}

void StreamParser::Impl::OnEndElement() noexcept
{
    Guard([&] {
        --open_elements;
        if (open_elements == 0) {
            events.push_back({Event::Kind::Close, {}, {}});
            MarkEventEnd();
            return;
        }
        const std::size_t at = open_at.back();
        open_at.pop_back();
        const auto first_child = nodes.begin() + static_cast<std::ptrdiff_t>(at) + 1;
        nodes[at].children.assign(std::make_move_iterator(first_child),
                                  std::make_move_iterator(nodes.end()));
        nodes.erase(first_child, nodes.end());
        if (open_elements == 1) {
            events.push_back({Event::Kind::Stanza, {}, std::move(nodes.back())});
            nodes.clear();
            if (nodes.capacity() > 256)
                nodes = std::vector<Element>{};
            MarkEventEnd();
        }
    });
}

void StreamParser::Impl::OnCharacters(std::string_view text) noexcept
{
    Guard([&] {
        if (open_elements <= 1) {
            // Whitespace between stanzas (keepalives) is fine; anything else is not XMPP.
            if (!IsAllSpace(text))
                Fail("bad-format", "text outside of a stanza");
            return;
        }
        // Adjacent text is one node, and empty text none, as in Element::AddText.
        if (nodes.size() - 1 > open_at.back() && nodes.back().IsText())
            nodes.back().text.append(text);
        else if (!text.empty())
            nodes.push_back(Element::MakeText(std::string{text}));
    });
}

void StreamParser::Impl::OnRestricted(const char* what) noexcept
{
    Guard([&] { Fail("restricted-xml", what); });
}

void StreamParser::Impl::OnError(const xmlError& e) noexcept
{
    if (e.level < XML_ERR_ERROR)
        return;
    Guard([&] {
        std::string message = e.message != nullptr ? e.message : "parse error";
        while (!message.empty() && IsXmlSpace(message.back()))
            message.pop_back();
        // Not Fail(): libxml2 is in the middle of reporting and stops on fatal errors itself.
        // Later callbacks see Failed() and do nothing.
        error.emplace(std::string{ConditionFor(e)}, message);
    });
}

StreamParser::StreamParser(StreamLimits limits) : impl_(std::make_unique<Impl>(limits))
{
}

StreamParser::~StreamParser() = default;
StreamParser::StreamParser(StreamParser&&) noexcept = default;
StreamParser& StreamParser::operator=(StreamParser&&) noexcept = default;

std::vector<StreamParser::Event> StreamParser::Feed(std::string_view chunk)
{
    return impl_->Feed(chunk);
}

void StreamParser::Reset()
{
    impl_->Start();
}

} // namespace pigeon::xml
