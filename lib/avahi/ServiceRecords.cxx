#include "avahi/ServiceRecords.hxx"

#include "avahi/Error.hxx"
#include "avahi/Txt.hxx"

#include <avahi-common/defs.h>
#include <avahi-common/domain.h>
#include <avahi-common/error.h>

#include <cstring>

namespace pigeon::avahi {
namespace {

// The types' list (RFC 6763 section 9), which service browsers walk.
constexpr auto kTypesList = "_services._dns-sd._udp";

std::string Join(const char* instance, const std::string& type, const std::string& domain)
{
    char name[AVAHI_DOMAIN_NAME_MAX];
    if (const int error =
            avahi_service_name_join(name, sizeof name, instance, type.c_str(), domain.c_str());
        error < 0)
        throw MakeError(error, "cannot name the service '" + std::string(instance ? instance : "") +
                                   "' of " + type);
    return name;
}

RawRecord Pointer(const std::string& from, const std::string& to)
{
    return {from, AVAHI_DNS_TYPE_PTR, AVAHI_DEFAULT_TTL, false, WireName(to)};
}

} // namespace

std::vector<std::uint8_t> WireName(const std::string& name)
{
    std::vector<std::uint8_t> wire;
    for (const char* rest = name.c_str(); *rest != '\0';) {
        char label[AVAHI_LABEL_MAX];
        if (avahi_unescape_label(&rest, label, sizeof label) == nullptr || label[0] == '\0')
            throw MakeError(AVAHI_ERR_INVALID_DOMAIN_NAME, "'" + name + "' is not a domain name");
        const auto size = std::strlen(label);
        wire.push_back(std::uint8_t(size));
        wire.insert(wire.end(), label, label + size);
    }
    wire.push_back(0);
    return wire;
}

std::string ServiceName(const std::string& instance, const std::string& type,
                        const std::string& domain)
{
    return Join(instance.c_str(), type, domain);
}

RawRecord ServiceTxt(const std::string& service, const TxtRecord& txt)
{
    const auto list = ToStringList(txt);
    // An empty list is one empty string (RFC 6763 section 6.1), one byte.
    std::vector<std::uint8_t> rdata(avahi_string_list_serialize(list.get(), nullptr, 0));
    rdata.resize(avahi_string_list_serialize(list.get(), rdata.data(), rdata.size()));
    return {service, AVAHI_DNS_TYPE_TXT, AVAHI_DEFAULT_TTL, true, std::move(rdata)};
}

std::vector<RawRecord> ServiceRecords(const std::string& instance, const std::string& type,
                                      const std::string& domain, const std::string& host,
                                      std::uint16_t port, const TxtRecord& txt)
{
    const auto service = ServiceName(instance, type, domain);
    const auto type_name = Join(nullptr, type, domain);
    // The TTLs avahi_entry_group_add_service gives: the SRV, which names a
    // host, as long as host records; priority and weight 0, one target only.
    std::vector<std::uint8_t> srv{0, 0, 0, 0, std::uint8_t(port >> 8), std::uint8_t(port & 0xff)};
    const auto target = WireName(host);
    srv.insert(srv.end(), target.begin(), target.end());
    return {
        {service, AVAHI_DNS_TYPE_SRV, AVAHI_DEFAULT_TTL_HOST_NAME, true, std::move(srv)},
        ServiceTxt(service, txt),
        Pointer(type_name, service),
        Pointer(Join(nullptr, kTypesList, domain), type_name),
    };
}

} // namespace pigeon::avahi
