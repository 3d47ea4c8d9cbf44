#pragma once
// Service discovery (XEP-0030) of our own features and the XEP-0115
// capabilities hash that advertises them, in TXT records and presence alike.

#include "xml/Element.hxx"
#include "xmpp/Namespaces.hxx"

#include <string>
#include <vector>

namespace pigeon::xmpp {

struct DiscoInfo {
    std::string category, type, name;
    std::vector<std::string> features; // kept sorted
};

// What a pigeon agent is and speaks.
const DiscoInfo& PigeonDiscoInfo();
// The XEP-0115 'ver' string (SHA-1, base64). Throws std::runtime_error if hashing fails.
std::string CapsVer(const DiscoInfo& info);
// True for <iq type='get'><query xmlns='disco#info'/></iq>.
bool IsDiscoInfoQuery(const xml::Element& iq) noexcept;
xml::Element DiscoInfoResult(const xml::Element& request, const DiscoInfo& info);

} // namespace pigeon::xmpp
