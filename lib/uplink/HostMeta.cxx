#include "uplink/HostMeta.hxx"

#include "xmpp/Namespaces.hxx"

#include "xml/Document.hxx"
#include "xmpp/Jid.hxx"

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <system_error>

namespace pigeon::uplink {
namespace {

bool IsHttpUrl(std::string_view url, bool https_only)
{
    // More than the scheme: "https://" alone names no host.
    if (url.starts_with("https://"))
        return url.size() > 8;
    return !https_only && url.starts_with("http://") && url.size() > 7;
}

bool HasControlOrSpace(std::string_view text)
{
    for (const unsigned char c : text)
        if (c <= ' ' || c == 0x7f)
            return true;
    return false;
}

} // namespace

std::string DefaultHostMetaUrl(const std::string& account)
{
    return "https://" + std::string(xmpp::Jid::Parse(account).Domain()) + "/.well-known/host-meta";
}

std::string BoshUrlFromHostMeta(std::string_view document, bool fetched_over_https)
{
    xml::Element root;
    try {
        xml::StreamLimits limits;
        limits.max_stanza_bytes = 64 * 1024;
        root = xml::ParseDocument(document, limits);
    } catch (const xml::StreamError& e) {
        throw HostMetaError(std::string("not an XML document (a captive portal?): ") + e.what());
    }
    if (root.name != "XRD" || root.ns != xmpp::ns::kXrd)
        throw HostMetaError("not a host-meta (XRD) document (a captive portal?)");
    bool refused_plain_http = false;
    for (const auto& link : root.children) {
        if (link.IsText() || link.name != "Link" || link.ns != xmpp::ns::kXrd ||
            link.Attr("rel") != xmpp::ns::kXboshRel)
            continue;
        const std::string_view href = link.Attr("href");
        if (HasControlOrSpace(href) || !IsHttpUrl(href, false))
            continue;
        if (fetched_over_https && !IsHttpUrl(href, true)) {
            refused_plain_http = true;
            continue;
        }
        return std::string(href);
    }
    if (refused_plain_http)
        throw HostMetaError("the host-meta, fetched over https, names only a plain-http BOSH "
                            "URL; refused (set bosh-url to use it anyway)");
    throw HostMetaError("the host-meta names no BOSH URL (no Link with rel='" +
                        std::string(xmpp::ns::kXboshRel) + "' and an http(s) href)");
}

std::optional<std::string> LoadDiscoveredUrl(const std::filesystem::path& file,
                                             const std::string& host_meta_url) noexcept
{
    try {
        std::ifstream in(file);
        std::string source, url;
        if (std::getline(in, source) && std::getline(in, url) && source == host_meta_url &&
            IsHttpUrl(url, false) && !HasControlOrSpace(url))
            return url;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

void SaveDiscoveredUrl(const std::filesystem::path& file, const std::string& host_meta_url,
                       const std::string& bosh_url)
{
    // Write aside, then rename: a crash never leaves half a file.
    const std::filesystem::path temporary = file.string() + ".new";
    std::ofstream out(temporary, std::ios::trunc);
    out << host_meta_url << '\n' << bosh_url << '\n';
    out.close();
    if (!out)
        throw std::system_error(errno, std::generic_category(),
                                "cannot write " + temporary.string());
    if (std::rename(temporary.c_str(), file.c_str()) != 0)
        throw std::system_error(errno, std::generic_category(), "cannot replace " + file.string());
}

} // namespace pigeon::uplink
