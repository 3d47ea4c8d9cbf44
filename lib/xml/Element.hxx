#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pigeon::xml {

// The namespace the "xml:" prefix is always bound to.
inline constexpr std::string_view kXmlNs = "http://www.w3.org/XML/1998/namespace";

struct Attribute {
    // Qualified name as written, e.g. "to" or "xml:lang".
    std::string name;
    std::string value;
    // Namespace URI of a prefixed attribute; empty for unprefixed ones.
    std::string ns;

    bool operator==(const Attribute&) const = default;
};

// Value of the attribute called name, or nullopt.
std::optional<std::string_view> FindAttribute(const std::vector<Attribute>& attrs,
                                              std::string_view name) noexcept;

// One node of an XML tree. A node with an empty name is a text node and only its text member
// counts; any other node is an element and its text member stays empty. Keeping both in one
// type keeps mixed content in document order without a variant. Members that allocate may
// throw std::bad_alloc; nothing here throws anything else.
struct Element {
    std::string name; // local name
    std::string ns;   // namespace URI, empty for none
    std::vector<Attribute> attrs;
    std::vector<Element> children;
    std::string text; // text nodes only

    Element() = default;
    Element(std::string local_name, std::string ns_uri)
        : name(std::move(local_name)), ns(std::move(ns_uri))
    {
    }

    static Element MakeText(std::string text);
    // For names and namespaces held as constants (string_view).
    static Element Named(std::string_view local_name, std::string_view ns_uri)
    {
        return Element(std::string(local_name), std::string(ns_uri));
    }

    bool IsText() const noexcept { return name.empty(); }

    // Empty when absent; use FindAttr to tell absent from empty.
    std::string_view Attr(std::string_view attr_name) const noexcept;
    std::optional<std::string_view> FindAttr(std::string_view attr_name) const noexcept;

    // Replaces the value of an existing attribute of that name or appends a new one. An
    // "xml:" name gets kXmlNs when ns is empty.
    void SetAttr(std::string attr_name, std::string value, std::string attr_ns = {});

    // First child element with that local name and namespace, or nullptr.
    const Element* Child(std::string_view child_name, std::string_view child_ns) const noexcept;
    Element* Child(std::string_view child_name, std::string_view child_ns) noexcept;

    // Appends and returns the new child; the reference lasts until children changes again.
    Element& AddChild(Element child);

    // Appends text, merged into a preceding text node so that adjacent text stays one node.
    void AddText(std::string_view more);

    // Concatenated text of the direct text children.
    std::string Text() const;

    // Text() of Child(child_name, child_ns), empty when there is no such child.
    std::string ChildText(std::string_view child_name, std::string_view child_ns) const;

    bool operator==(const Element&) const = default;
};

} // namespace pigeon::xml
