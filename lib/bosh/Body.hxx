#pragma once
// The wire side of the HTTP binding (XEP-0124): the <body/> that wraps each
// request, the POST that carries it, the first rid, and the terms a
// connection manager sets for a session when it creates it.

#include "curl/Request.hxx"
#include "xml/Element.hxx"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pigeon::bosh {

// A random first rid with room to count up within 2^53 - 1, as XEP-0124 asks.
// Throws std::runtime_error if no random bytes are available.
std::uint64_t RandomRid();

// body serialized, with payload (serialized elements) inside it. Throws std::invalid_argument
// if body cannot be serialized.
std::string BodyText(const xml::Element& body, std::string_view payload);

// The session creation request (XEP-0124 section 7.1, XEP-0206) for the XMPP host `to`, asking
// the server to hold one request for at most `wait`; without its rid.
xml::Element CreationBody(const std::string& to, std::chrono::seconds wait);

// body (with the session's sid) made the XEP-0206 stream restart for the XMPP host `to`.
xml::Element RestartBody(xml::Element body, const std::string& to);

// The HTTP POST of one request: body within timeout, capped answers.
curl::RequestOptions PostOptions(const std::string& url, std::string body,
                                 std::chrono::milliseconds timeout, bool use_environment_proxy,
                                 std::size_t max_response_bytes);

// The <body/> of a connection manager's answer. Throws std::runtime_error (xml::XmlError...)
// if text is not a BOSH body, or larger than max_bytes.
xml::Element ParseResponse(const std::string& text, std::size_t max_bytes);

// What the session creation response sets (XEP-0124 section 7.1).
struct SessionTerms {
    std::string sid;
    unsigned hold = 1;
    unsigned requests = 2; // at most hold + 1: we never need more, some servers cope with no more
    std::chrono::seconds wait{};
    std::chrono::seconds polling{};
    std::chrono::seconds inactivity{};
};

// The terms in a session creation response, the wait no longer than we asked for; nullopt
// without a sid.
std::optional<SessionTerms> ReadSessionTerms(const xml::Element& body, std::chrono::seconds wait);

} // namespace pigeon::bosh
