#include "xmpp/Caps.hxx"

#include "crypto/Base64.hxx"
#include "ssl/Digest.hxx"
#include "xmpp/Namespaces.hxx"

#include <algorithm>

namespace pigeon::xmpp {
using namespace ns;

const DiscoInfo& PigeonDiscoInfo()
{
    static const DiscoInfo info = [] {
        DiscoInfo i{"client",
                    "pc",
                    "pigeon",
                    {std::string(kCaps), std::string(kDiscoInfo), std::string(kDelay),
                     std::string(kForward), std::string(kPigeon), std::string(kReceipts),
                     std::string(kStanzaId)}};
        std::sort(i.features.begin(), i.features.end());
        return i;
    }();
    return info;
}

std::string CapsVer(const DiscoInfo& info)
{
    // XEP-0115 section 5.1: identities then features, each followed by '<'.
    std::string s = info.category + "/" + info.type + "//" + info.name + "<";
    for (const auto& feature : info.features)
        s += feature + "<";
    return crypto::ToBase64(ssl::Digest(ssl::Hash::Sha1, s));
}

bool IsDiscoInfoQuery(const xml::Element& iq) noexcept
{
    return iq.name == "iq" && iq.Attr("type") == "get" && iq.Child("query", kDiscoInfo) != nullptr;
}

xml::Element DiscoInfoResult(const xml::Element& request, const DiscoInfo& info)
{
    xml::Element iq("iq", std::string(kClient));
    iq.SetAttr("type", "result");
    iq.SetAttr("id", std::string(request.Attr("id")));
    auto& query = iq.AddChild(xml::Element("query", std::string(kDiscoInfo)));
    if (const auto* asked = request.Child("query", kDiscoInfo); asked && asked->FindAttr("node"))
        query.SetAttr("node", std::string(asked->Attr("node")));
    auto& identity = query.AddChild(xml::Element("identity", std::string(kDiscoInfo)));
    identity.SetAttr("category", info.category);
    identity.SetAttr("type", info.type);
    identity.SetAttr("name", info.name);
    for (const auto& feature : info.features)
        query.AddChild(xml::Element("feature", std::string(kDiscoInfo))).SetAttr("var", feature);
    return iq;
}

} // namespace pigeon::xmpp
