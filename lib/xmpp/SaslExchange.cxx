#include "xmpp/SaslExchange.hxx"

#include "crypto/Base64.hxx"
#include "xmpp/Namespaces.hxx"

#include <algorithm>
#include <system_error>

namespace pigeon::xmpp {
namespace {

xml::Element SaslElement(std::string_view name, std::string_view data)
{
    xml::Element element{std::string{name}, std::string{ns::kSasl}};
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
    throw SaslError("server sent malformed base64 in <" + element.name + "/>");
}

// The channel-binding types the server accepts (XEP-0440), or nullopt if it does not say.
std::optional<std::vector<std::string>> BindingTypes(const xml::Element& features)
{
    const xml::Element* list = features.Child("sasl-channel-binding", ns::kSaslChannelBinding);
    if (list == nullptr)
        return std::nullopt;
    std::vector<std::string> types;
    for (const auto& child : list->children)
        if (child.name == "channel-binding" && child.ns == ns::kSaslChannelBinding)
            types.emplace_back(child.Attr("type"));
    return types;
}

bool Contains(const std::vector<std::string>& names, std::string_view name)
{
    return std::find(names.begin(), names.end(), name) != names.end();
}

} // namespace

std::vector<std::string> SaslExchange::Offered(const xml::Element& features)
{
    std::vector<std::string> names;
    if (const xml::Element* mechanisms = features.Child("mechanisms", ns::kSasl))
        for (const auto& child : mechanisms->children)
            if (child.name == "mechanism" && child.ns == ns::kSasl)
                names.push_back(child.Text());
    return names;
}

SaslExchange::Choice SaslExchange::Choose(const xml::Element& features, std::string_view forced,
                                          const SaslChannel& channel)
{
    const auto offered = Offered(features);
    const auto types = BindingTypes(features);
    // A server that does not name its types binds with tls-unique, RFC 5802's
    // default, if at all: ejabberd 23.01 offers -PLUS over TLS 1.3 and then
    // refuses tls-exporter.
    const bool binding_accepted =
        channel.binding && (types ? Contains(*types, channel.binding->Name())
                                  : channel.binding->Name() == std::string_view("tls-unique"));
    for (const auto& mechanism : sasl::Client::Supported()) {
        if ((!forced.empty() && mechanism != forced) || !Contains(offered, mechanism))
            continue;
        if (mechanism.ends_with("-PLUS")) {
            if (binding_accepted)
                return {mechanism, channel.binding};
        } else if (mechanism == "PLAIN") {
            // The password itself crosses: only to a server whose certificate we checked.
            if (channel.encrypted && channel.verified)
                return {mechanism, std::nullopt};
        } else {
            return {mechanism, std::nullopt};
        }
    }
    return {};
}

SaslExchange::SaslExchange(Choice choice, sasl::Credentials credentials)
    : client_(choice.mechanism, std::move(credentials), std::move(choice.binding))
{
}

std::string SaslExchange::Step(std::string_view input)
{
    try {
        return client_.Next(input).output;
    } catch (const std::system_error& e) {
        throw SaslError(e.what());
    }
}

xml::Element SaslExchange::Auth()
{
    xml::Element auth = SaslElement("auth", Step({}));
    auth.SetAttr("mechanism", client_.Mechanism());
    return auth;
}

xml::Element SaslExchange::Respond(const xml::Element& challenge)
{
    // RFC 6120 section 6.3.10 lets the server send its final message as a challenge: the
    // answer is then an empty response.
    const std::string output = Step(Decode(challenge));
    if (output.empty())
        return xml::Element{"response", std::string{ns::kSasl}};
    return SaslElement("response", output);
}

void SaslExchange::Succeed(const xml::Element& success)
{
    const std::string data = Decode(success);
    if (!data.empty()) {
        if (client_.Complete())
            throw SaslError("the server sent data with <success/> after the exchange ended");
        Step(data);
    }
    if (!client_.Complete())
        throw SaslError("success without the server's proof that it knows the password");
}

} // namespace pigeon::xmpp
