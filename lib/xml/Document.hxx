#pragma once

#include "xml/Element.hxx"
#include "xml/StreamParser.hxx"

#include <string_view>

namespace pigeon::xml {

// Parses one complete XML document, e.g. a BOSH <body/>, into its root element, with the same
// rules as StreamParser: optional UTF-8 BOM and XML declaration (UTF-8 only), then exactly one
// root element and nothing but whitespace around it; no DTD, entities other than the five
// predefined ones, comments or processing instructions. limits.max_stanza_bytes caps the whole
// document; limits.max_depth counts the document's root as depth 0.
//
// Throws StreamError with the condition StreamParser documents, not-well-formed also for a
// missing, second or unterminated root element or text outside it. Throws std::bad_alloc.
Element ParseDocument(std::string_view text, StreamLimits limits = {});

} // namespace pigeon::xml
