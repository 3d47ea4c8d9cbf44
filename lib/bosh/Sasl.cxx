#include "bosh/Sasl.hxx"

#include "crypto/Base64.hxx"
#include "xmpp/Namespaces.hxx"

#include <algorithm>
#include <stdexcept>

namespace pigeon::bosh {
namespace {

constexpr std::string_view kPlain = "PLAIN";
// Strongest first.
constexpr std::string_view kPreference[] = {"SCRAM-SHA-256", "SCRAM-SHA-1", kPlain};

xml::Element SaslElement(std::string_view name, std::string_view data)
{
    xml::Element element{std::string{name}, std::string{xmpp::ns::kSasl}};
    // RFC 6120 section 6.4.2: empty data is "=", absent data is no text at all.
    element.AddText(data.empty() ? std::string{"="} : crypto::ToBase64(data));
    return element;
}

std::string Decode(const xml::Element& element)
{
    const std::string text = element.Text();
    if (text.empty() || text == "=")
        return {};
    if (auto data = crypto::FromBase64(text, crypto::Base64Spaces::Refuse))
        return std::move(*data);
    throw ScramError("server sent malformed base64 in <" + element.name + "/>");
}

} // namespace

std::string SaslClient::Choose(const std::vector<std::string>& offered, std::string_view forced,
                               bool secure)
{
    for (const std::string_view mechanism : kPreference) {
        if (!forced.empty() && mechanism != forced)
            continue;
        if (mechanism == kPlain && !secure)
            continue;
        if (std::find(offered.begin(), offered.end(), mechanism) != offered.end())
            return std::string{mechanism};
    }
    return {};
}

std::vector<std::string> SaslClient::Offered(const xml::Element& features)
{
    std::vector<std::string> names;
    if (const xml::Element* mechanisms = features.Child("mechanisms", xmpp::ns::kSasl))
        for (const auto& child : mechanisms->children)
            if (child.name == "mechanism" && child.ns == xmpp::ns::kSasl)
                names.push_back(child.Text());
    return names;
}

SaslClient::SaslClient(std::string mechanism, std::string_view username, std::string password)
    : mechanism_(std::move(mechanism)), username_(username)
{
    if (const auto hash = Scram::HashOf(mechanism_))
        scram_.emplace(*hash, username, std::move(password));
    else if (mechanism_ == kPlain)
        password_ = std::move(password);
    else
        throw std::invalid_argument("unsupported SASL mechanism " + mechanism_);
}

xml::Element SaslClient::Auth() const
{
    std::string initial;
    if (scram_) {
        initial = scram_->ClientFirst();
    } else {
        // authzid, authcid and password, separated by NUL; no authzid.
        initial.push_back('\0');
        initial += username_;
        initial.push_back('\0');
        initial += password_;
    }
    xml::Element auth = SaslElement("auth", initial);
    auth.SetAttr("mechanism", mechanism_);
    return auth;
}

xml::Element SaslClient::Respond(const xml::Element& challenge)
{
    if (!scram_)
        throw ScramError("unexpected challenge for " + mechanism_);
    const std::string data = Decode(challenge);
    if (!final_sent_) {
        final_sent_ = true;
        return SaslElement("response", scram_->ClientFinal(data));
    }
    if (verified_)
        throw ScramError("challenge after the SCRAM exchange ended");
    // RFC 6120 section 6.3.10 lets the server send its final message as a challenge.
    scram_->VerifyServerFinal(data);
    verified_ = true;
    return xml::Element{"response", std::string{xmpp::ns::kSasl}};
}

void SaslClient::Succeed(const xml::Element& success)
{
    if (!scram_)
        return;
    if (!final_sent_)
        throw ScramError("success before the SCRAM exchange");
    const std::string data = Decode(success);
    if (!data.empty()) {
        if (verified_)
            throw ScramError("second SCRAM server-final message");
        scram_->VerifyServerFinal(data);
        verified_ = true;
    }
    if (!verified_)
        throw ScramError("success without the server's proof");
}

} // namespace pigeon::bosh
