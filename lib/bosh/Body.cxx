#include "bosh/Body.hxx"

#include "crypto/Random.hxx"
#include "xml/Document.hxx"
#include "xml/Serializer.hxx"
#include "xmpp/Namespaces.hxx"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace pigeon::bosh {
namespace {

constexpr std::chrono::seconds kConnectTimeout{15};

std::optional<unsigned> Number(std::string_view text) noexcept
{
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

} // namespace

std::uint64_t RandomRid()
{
    const std::string bytes = crypto::RandomBytes(6);
    std::uint64_t rid = 0;
    for (const char b : bytes)
        rid = (rid << 8) | static_cast<unsigned char>(b);
    return rid + 1;
}

std::string BodyText(const xml::Element& body, std::string_view payload)
{
    std::string text = xml::Serialize(body);
    if (!payload.empty() && text.ends_with("/>")) {
        text.resize(text.size() - 2);
        text += '>';
        text += payload;
        text += "</body>";
    }
    return text;
}

xml::Element CreationBody(const std::string& to, std::chrono::seconds wait)
{
    xml::Element body{"body", std::string{xmpp::ns::kHttpBind}};
    body.SetAttr("content", "text/xml; charset=utf-8");
    body.SetAttr("hold", "1");
    body.SetAttr("to", to);
    body.SetAttr("ver", "1.11");
    body.SetAttr("wait", std::to_string(wait.count()));
    body.SetAttr("xml:lang", "en");
    body.SetAttr("xmpp:version", "1.0", std::string{xmpp::ns::kXBosh});
    return body;
}

xml::Element RestartBody(xml::Element body, const std::string& to)
{
    body.SetAttr("to", to);
    body.SetAttr("xml:lang", "en");
    body.SetAttr("xmpp:restart", "true", std::string{xmpp::ns::kXBosh});
    return body;
}

curl::RequestOptions PostOptions(const std::string& url, std::string body,
                                 std::chrono::milliseconds timeout, bool use_environment_proxy,
                                 std::size_t max_response_bytes)
{
    curl::RequestOptions options;
    options.url = url;
    options.method = curl::Method::Post;
    options.body = std::move(body);
    options.content_type = "text/xml; charset=utf-8";
    options.timeout = timeout;
    options.connect_timeout = kConnectTimeout;
    options.use_environment_proxy = use_environment_proxy;
    options.max_response_bytes = max_response_bytes;
    return options;
}

xml::Element ParseResponse(const std::string& text, std::size_t max_bytes)
{
    xml::StreamLimits limits;
    limits.max_stanza_bytes = max_bytes;
    xml::Element body = xml::ParseDocument(text, limits);
    if (body.name != "body" || body.ns != xmpp::ns::kHttpBind)
        throw std::runtime_error("not a BOSH body");
    return body;
}

std::optional<SessionTerms> ReadSessionTerms(const xml::Element& body, std::chrono::seconds wait)
{
    SessionTerms terms;
    terms.sid = body.Attr("sid");
    if (terms.sid.empty())
        return std::nullopt;
    const auto number = [&body](std::string_view name) { return Number(body.Attr(name)); };
    terms.hold = number("hold").value_or(1);
    terms.requests = std::clamp(number("requests").value_or(terms.hold + 1), 1u, terms.hold + 1);
    terms.wait = wait;
    if (const auto offered = number("wait"); offered && *offered > 0)
        terms.wait = std::min(wait, std::chrono::seconds(*offered));
    terms.polling = std::chrono::seconds(number("polling").value_or(0));
    terms.inactivity = std::chrono::seconds(number("inactivity").value_or(0));
    return terms;
}

} // namespace pigeon::bosh
