#include "xml/Element.hxx"

#include <algorithm>
#include <utility>

namespace pigeon::xml {

std::optional<std::string_view> FindAttribute(const std::vector<Attribute>& attrs,
                                              std::string_view name) noexcept
{
    const auto it = std::find_if(attrs.begin(), attrs.end(),
                                 [name](const Attribute& a) { return a.name == name; });
    if (it == attrs.end())
        return std::nullopt;
    return std::string_view{it->value};
}

Element Element::MakeText(std::string text)
{
    Element node;
    node.text = std::move(text);
    return node;
}

std::string_view Element::Attr(std::string_view attr_name) const noexcept
{
    return FindAttr(attr_name).value_or(std::string_view{});
}

std::optional<std::string_view> Element::FindAttr(std::string_view attr_name) const noexcept
{
    return FindAttribute(attrs, attr_name);
}

void Element::SetAttr(std::string attr_name, std::string value, std::string attr_ns)
{
    if (attr_ns.empty() && attr_name.starts_with("xml:"))
        attr_ns = kXmlNs;
    for (auto& a : attrs) {
        if (a.name == attr_name) {
            a.value = std::move(value);
            a.ns = std::move(attr_ns);
            return;
        }
    }
    attrs.push_back({std::move(attr_name), std::move(value), std::move(attr_ns)});
}

const Element* Element::Child(std::string_view child_name, std::string_view child_ns) const noexcept
{
    for (const auto& c : children)
        if (!c.IsText() && c.name == child_name && c.ns == child_ns)
            return &c;
    return nullptr;
}

Element* Element::Child(std::string_view child_name, std::string_view child_ns) noexcept
{
    return const_cast<Element*>(std::as_const(*this).Child(child_name, child_ns));
}

Element& Element::AddChild(Element child)
{
    return children.emplace_back(std::move(child));
}

void Element::AddText(std::string_view more)
{
    if (more.empty())
        return;
    if (!children.empty() && children.back().IsText())
        children.back().text.append(more);
    else
        children.push_back(MakeText(std::string{more}));
}

std::string Element::Text() const
{
    std::string out;
    for (const auto& c : children)
        if (c.IsText())
            out += c.text;
    return out;
}

std::string Element::ChildText(std::string_view child_name, std::string_view child_ns) const
{
    const Element* c = Child(child_name, child_ns);
    return c != nullptr ? c->Text() : std::string{};
}

} // namespace pigeon::xml
