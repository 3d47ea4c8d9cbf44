#pragma once

#include "xml/Element.hxx"
#include "xml/StreamHeader.hxx"

#include <span>
#include <string>
#include <string_view>

namespace pigeon::xml {

// A prefix to declare once on the element written, for the elements below it
// in that namespace: a request holding a hundred items in four namespaces
// then carries four declarations, not four hundred (libxml2 checks each one
// it reads as a URI).
struct NamespacePrefix {
    std::string_view prefix;
    std::string_view ns;
};

// Writes element (or a text node) as XML. context_ns is the default namespace in scope where the
// output goes, e.g. the stream's "jabber:client"; xmlns='...' is written only on elements whose
// namespace differs from the default in scope. Elements in the stream namespace are written
// with the conventional "stream:" prefix, declared on the element itself. A prefixed attribute
// other than xml:* gets an xmlns:prefix declaration where its binding is not already in scope.
// `prefixes` are declared on `element`: an element below in one of their namespaces that is
// not the default in scope is written with its prefix.
//
// Throws std::invalid_argument rather than write something a peer would have to reject: text,
// attribute values or namespaces that are not valid UTF-8 or hold characters XML 1.0 forbids
// (C0 controls other than tab, LF and CR, U+FFFE, U+FFFF); names that are empty or contain
// characters names cannot contain; a prefixed attribute without a namespace or an unprefixed
// one with one; xmlns attributes (namespaces come from the ns members); duplicate attributes;
// one prefix bound to two namespaces on the same element; a declared prefix that is not a
// name, is xml or xmlns, has no namespace, or comes twice.
std::string Serialize(const Element& element, std::string_view context_ns = {},
                      std::span<const NamespacePrefix> prefixes = {});

// "<?xml version='1.0'?><stream:stream xmlns='<content_ns>' xmlns:stream='...' <attrs>>".
// Throws std::invalid_argument for the same reasons as Serialize.
std::string StreamOpenTag(const StreamHeader& header);

// "</stream:stream>"
std::string StreamCloseTag();

} // namespace pigeon::xml
