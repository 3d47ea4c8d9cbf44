#pragma once

#include "xml/Element.hxx"
#include "xml/StreamHeader.hxx"

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pigeon::xml {

// A fatal error in an incoming stream. condition() is the RFC 6120 section 4.9.3 element to
// send back before closing the stream. The mapping:
//   restricted-xml        DOCTYPE (internal or external subset), entity/notation/element
//                         declarations, a reference to any entity other than the five
//                         predefined ones, comments, processing instructions
//   unsupported-encoding  bytes that are not UTF-8: invalid or truncated-then-wrong UTF-8
//                         sequences, NUL bytes, UTF-16/UTF-32 byte order marks or byte
//                         patterns, an XML declaration naming an encoding other than UTF-8
//   not-well-formed       anything else libxml2 rejects, including characters XML forbids
//                         (C0 controls, U+FFFE, U+FFFF) and content after the root's end tag
//   bad-namespace-prefix  an element or attribute prefix that is not declared
//   invalid-namespace     a root element other than {http://etherx.jabber.org/streams}stream
//   bad-format            non-whitespace text directly inside the stream root
//   policy-violation      StreamLimits exceeded (stanza size, depth, distinct names)
//   resource-constraint   libxml2 ran out of memory
class StreamError : public std::runtime_error {
public:
    StreamError(std::string condition, const std::string& detail)
        : std::runtime_error(condition + ": " + detail), condition_(std::move(condition))
    {
    }

    const std::string& condition() const noexcept { return condition_; }

private:
    std::string condition_;
};

struct StreamLimits {
    // Bytes fed since the previous event (open tag or completed stanza), including whitespace,
    // that may go by before the next stanza completes. Also bounds the stream header.
    std::size_t max_stanza_bytes = 256 * 1024;
    // Deepest element allowed; the stream root is depth 0, a stanza depth 1.
    unsigned max_depth = 32;
    // Distinct names (of elements, attributes, prefixes, and namespace URIs) one document may
    // bring into libxml2's name dictionary, and the bytes that dictionary may allocate for
    // them. It never shrinks while the document lasts, so a peer sending tiny stanzas with
    // ever-new names would otherwise grow memory and lookup time without bound. An honest
    // stream uses a few dozen names.
    std::size_t max_names = 2000;
    std::size_t max_name_bytes = 128 * 1024;
};

// Incremental parser for one side of an XMPP stream (RFC 6120): feed it the bytes as they
// arrive, in chunks of any size split anywhere, and get back the stream header, each complete
// top-level element ("stanza", including <stream:features> and <stream:error>), and the end of
// the stream. Built on libxml2's SAX2 push parser, with everything RFC 6120 section 11 forbids
// turned into a StreamError instead of being processed.
class StreamParser {
public:
    struct Event {
        enum class Kind { Open, Stanza, Close };

        Kind kind;
        StreamHeader header; // Open only
        Element stanza;      // Stanza only; ns is the in-scope namespace, e.g. jabber:client

        bool operator==(const Event&) const = default;
    };

    // Throws std::bad_alloc if libxml2 cannot allocate a parser.
    explicit StreamParser(StreamLimits limits = {});
    ~StreamParser();
    StreamParser(StreamParser&&) noexcept;
    StreamParser& operator=(StreamParser&&) noexcept;

    // Parses the next bytes of the stream and returns the events they completed, in order.
    // Throws StreamError when the stream is in error; events completed earlier in the same
    // chunk are then dropped, as the stream is dead anyway. Once it has thrown, every further
    // Feed throws the same StreamError until Reset().
    std::vector<Event> Feed(std::string_view chunk);

    // Starts a new document, e.g. for the stream restart after STARTTLS or SASL. Bytes fed but
    // not yet parsed are dropped, and so is a previous error. Throws std::bad_alloc like the
    // constructor.
    void Reset();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace pigeon::xml
