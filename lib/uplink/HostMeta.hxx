#pragma once
// XEP-0156: a server names its BOSH endpoint in the host-meta document it
// serves at https://DOMAIN/.well-known/host-meta (an XRD document). We only
// read it here; fetching it is Probe's job, remembering it ServerLink's.

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pigeon::uplink {

// Why a host-meta document gives no usable BOSH URL.
class HostMetaError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The default host-meta location for an account JID's domain.
// Throws std::invalid_argument if `account` is not a JID.
std::string DefaultHostMetaUrl(const std::string& account);

// The href of the first xbosh Link in an XRD host-meta document. A document
// fetched over https must not send us to plain http (a downgrade anyone on
// the path could have planted), so with `fetched_over_https` such links are
// skipped. Throws HostMetaError when the text is not an XRD document, or has
// no xbosh link with an acceptable http(s) href; std::bad_alloc.
std::string BoshUrlFromHostMeta(std::string_view document, bool fetched_over_https);

// The BOSH URL discovered earlier from `host_meta_url`, if `file` holds one
// for that same host-meta URL. Never throws: an unreadable file is no URL.
std::optional<std::string> LoadDiscoveredUrl(const std::filesystem::path& file,
                                             const std::string& host_meta_url) noexcept;
// Replaces `file` atomically. Throws std::system_error if it cannot.
void SaveDiscoveredUrl(const std::filesystem::path& file, const std::string& host_meta_url,
                       const std::string& bosh_url);

} // namespace pigeon::uplink
