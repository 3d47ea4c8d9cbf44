#include "xml/Serializer.hxx"
#include "xml/Utf8.hxx"

#include <cstdio>
#include <optional>
#include <stdexcept>
#include <vector>

namespace pigeon::xml {

namespace {

constexpr std::string_view kStreamPrefix = "stream";

// Throws unless s is UTF-8 made only of characters XML 1.0 allows.
void CheckChars(std::string_view s, std::string_view what)
{
    if (const auto problem = TextProblem(s))
        throw std::invalid_argument(std::string{what} + ": " + *problem);
}

// A deliberately simple approximation of the XML NCName production: it refuses every ASCII
// character a name cannot hold, and leaves non-ASCII letters to the peer.
void CheckName(std::string_view name, std::string_view what)
{
    const auto bad = [&] {
        return std::invalid_argument("invalid " + std::string{what} + " name '" +
                                     std::string{name} + "'");
    };
    if (name.empty() || !IsValidUtf8(name))
        throw bad();
    const char first = name.front();
    if (first == '-' || first == '.' || (first >= '0' && first <= '9'))
        throw bad();
    for (const char c : name) {
        const auto b = static_cast<unsigned char>(c);
        const bool ok = b >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
        if (!ok)
            throw bad();
    }
}

enum class Context { Text, Attribute };

// Escapes what XML would otherwise read differently: markup everywhere; in
// attributes also quotes and whitespace, which value normalization would
// turn into spaces; a raw CR anywhere, which end-of-line handling makes LF.
void AppendEscaped(std::string& out, std::string_view s, Context context)
{
    const bool attribute = context == Context::Attribute;
    for (const char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '\r':
            out += "&#13;";
            break;
        case '\'':
            out += attribute ? "&apos;" : "'";
            break;
        case '"':
            out += attribute ? "&quot;" : "\"";
            break;
        case '\t':
            out += attribute ? "&#9;" : "\t";
            break;
        case '\n':
            out += attribute ? "&#10;" : "\n";
            break;
        default:
            out += c;
        }
    }
}

class Writer {
public:
    std::string out;

    void WriteNode(const Element& node, std::string_view default_ns);

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
    CheckChars(ns, "namespace");
    out += prefix.empty() ? " xmlns='" : " xmlns:";
    if (!prefix.empty()) {
        out += prefix;
        out += "='";
    }
    AppendEscaped(out, ns, Context::Attribute);
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
            if (b->name == a->name || (!a->ns.empty() && b->ns == a->ns &&
                                       b->name.substr(b->name.find(':') + 1) == local))
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

        CheckChars(a->value, "value of attribute '" + a->name + "'");
        out += ' ';
        out += a->name;
        out += "='";
        AppendEscaped(out, a->value, Context::Attribute);
        out += '\'';
    }
}

void Writer::WriteNode(const Element& node, std::string_view default_ns)
{
    if (node.IsText()) {
        CheckChars(node.text, "text");
        AppendEscaped(out, node.text, Context::Text);
        return;
    }
    CheckName(node.name, "element");

    const std::size_t element_mark = scope.size();
    const bool stream_element = node.ns == kStreamsNs;
    std::string_view child_default = default_ns;
    out += '<';
    if (stream_element) {
        out += kStreamPrefix;
        out += ':';
    }
    out += node.name;
    if (stream_element) {
        Bind(kStreamPrefix, kStreamsNs, element_mark);
    } else if (node.ns != default_ns) {
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
        if (stream_element) {
            out += kStreamPrefix;
            out += ':';
        }
        out += node.name;
        out += '>';
    }
    scope.resize(element_mark);
}

} // namespace

std::string Serialize(const Element& element, std::string_view context_ns)
{
    Writer w;
    w.WriteNode(element, context_ns);
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
