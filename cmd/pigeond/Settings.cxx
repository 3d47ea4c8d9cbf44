#include "Settings.hxx"

#include "Choices.hxx"
#include "OptionsError.hxx"
#include "util/Xdg.hxx"
#include "xmpp/Jid.hxx"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <type_traits>

namespace pigeon {
namespace {

std::string LoginName()
{
    if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_name != nullptr)
        return pw->pw_name;
    if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0')
        return user;
    return "pigeon";
}

std::string DataDir()
{
    return xdg::DataDir().string();
}

std::string RuntimeDir()
{
    return xdg::RuntimeDir().string();
}

// One rule for both directories, named in one message.
std::string Directory(std::string value)
{
    if (value.empty())
        throw OptionsError("data-dir and runtime-dir must not be empty");
    return value;
}

std::string InstanceUser(std::string value)
{
    if (value.empty() || value.find_first_of("@/ \t\"&'<>:") != std::string::npos)
        throw OptionsError(
            "name must be non-empty and must not contain @ / : < > & ' \" or spaces");
    return value;
}

std::string BareAccount(std::string value)
{
    if (value.empty())
        return value;
    const auto jid = xmpp::Jid::TryParse(value);
    if (!jid || jid->Local().empty() || !jid->IsBare())
        throw OptionsError("account must be a bare JID like user@example.org, not '" + value + "'");
    return jid->ToString();
}

// "eth0, wlan0" or "eth0 wlan0" as "eth0,wlan0"; each a possible interface name.
std::string InterfaceList(std::string value)
{
    std::string out;
    std::size_t at = 0;
    while (at < value.size()) {
        const auto start = value.find_first_not_of(", \t", at);
        if (start == std::string::npos)
            break;
        const auto end = std::min(value.find_first_of(", \t", start), value.size());
        const std::string name = value.substr(start, end - start);
        if (name.size() >= 16 || name.find('/') != std::string::npos)
            throw OptionsError("link-interfaces: '" + name + "' is not an interface name");
        out += (out.empty() ? "" : ",") + name;
        at = end;
    }
    return out;
}

std::string HttpUrl(std::string value)
{
    if (!value.empty() && !value.starts_with("http://") && !value.starts_with("https://"))
        throw OptionsError("'" + value + "' is not an http:// or https:// URL");
    return value;
}

// A body travels inside a forwarded stanza: leave room for the envelope.
std::int64_t HalfOfMaxStanza(const DaemonConfig& config)
{
    return std::int64_t(config.max_stanza / 2);
}

constexpr std::int64_t kMaxCarryBytes = std::int64_t{1} << 50;

template <typename T>
Setting Number(std::string_view name, T DaemonConfig::*member, std::type_identity_t<T> fallback,
               std::int64_t low, std::int64_t high, std::string_view help)
{
    return {.name = name,
            .member = member,
            .fallback = SettingValue(fallback),
            .low = low,
            .high = high,
            .help = help};
}

// A number whose range ends where another setting says.
template <typename T>
Setting Number(std::string_view name, T DaemonConfig::*member, std::type_identity_t<T> fallback,
               std::int64_t low, std::int64_t (*high_of)(const DaemonConfig&),
               std::string_view help)
{
    return {.name = name,
            .member = member,
            .fallback = SettingValue(fallback),
            .low = low,
            .high_of = high_of,
            .help = help};
}

Setting YesNo(std::string_view name, bool DaemonConfig::*member, bool fallback,
              std::string_view help)
{
    return {.name = name, .member = member, .fallback = SettingValue(fallback), .help = help};
}

template <typename T>
Setting Choice(std::string_view name, T DaemonConfig::*member, T fallback, std::string_view choices,
               std::string_view help)
{
    return {.name = name,
            .member = member,
            .fallback = SettingValue(fallback),
            .choices = choices,
            .help = help};
}

// Text that is empty unless set; `check` refuses or normalises it.
Setting Text(std::string_view name, std::string DaemonConfig::*member,
             std::string (*check)(std::string), std::string_view help)
{
    return {.name = name,
            .member = member,
            .fallback = SettingValue(std::string()),
            .check = check,
            .help = help};
}

// Text without a default: not given is not the same as empty.
Setting Unset(std::string_view name, std::string DaemonConfig::*member, std::string_view help)
{
    return {.name = name, .member = member, .help = help};
}

template <typename T>
Setting AtStart(std::string_view name, T DaemonConfig::*member, std::string (*at_start)(),
                std::string (*check)(std::string), std::string_view help)
{
    return {.name = name, .member = member, .at_start = at_start, .check = check, .help = help};
}

// A setting that takes effect at once when SIGHUP re-reads it.
Setting Live(Setting setting)
{
    setting.reload = Reload::Live;
    return setting;
}

// One that the uplink reads: SIGHUP starts a new uplink with it.
Setting NewUplink(Setting setting)
{
    setting.reload = Reload::NewUplink;
    return setting;
}

template <typename T> T ParseChoice(const Setting& setting, const std::string& text)
{
    if constexpr (std::is_same_v<T, log::Level>) {
        return log::ParseLevel(text); // its message lists the levels
    } else {
        const auto index = ChoiceIndex(setting.choices, text);
        if (!index)
            throw OptionsError(std::string(setting.name) + " must be " +
                               ChoiceList(setting.choices) + ", not '" + text + "'");
        return T(*index); // the choices are named in the enumeration's order
    }
}

void CheckRange(const Setting& setting, std::int64_t value, std::int64_t high)
{
    if (value < setting.low || value > high)
        throw OptionsError(std::string(setting.name) + " must be between " +
                           std::to_string(setting.low) + " and " + std::to_string(high) + ", not " +
                           std::to_string(value));
}

template <typename T> void AssignTyped(const Setting& setting, SettingValue value, T& out)
{
    if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::filesystem::path>) {
        std::string text = std::get<std::string>(std::move(value));
        out = setting.check != nullptr ? setting.check(std::move(text)) : std::move(text);
    } else if constexpr (std::is_enum_v<T>) {
        out = ParseChoice<T>(setting, std::get<std::string>(value));
    } else if constexpr (std::is_same_v<T, bool>) {
        out = std::get<bool>(value);
    } else {
        out = std::get<T>(value);
        if (setting.high_of == nullptr)
            CheckRange(setting, std::int64_t(out), setting.high);
    }
}

} // namespace

DaemonConfig::DaemonConfig()
{
    for (const auto& setting : Settings())
        if (setting.fallback)
            std::visit(
                [this, &setting](auto member) {
                    this->*member = std::get<SettingType<decltype(member)>>(*setting.fallback);
                },
                setting.member);
}

// Built on first use, so that a DaemonConfig made during static
// initialisation still finds it.
std::span<const Setting> Settings()
{
    using C = DaemonConfig;
    // clang-format off
    static const Setting settings[] = {
        AtStart("data-dir", &C::data_dir, DataDir, Directory, "where the message store lives (default $XDG_DATA_HOME/pigeon)"),
        AtStart("runtime-dir", &C::runtime_dir, RuntimeDir, Directory, "where the control socket lives (default $XDG_RUNTIME_DIR/pigeon)"),
        Live(Choice("log-level", &C::log_level, log::Level::Info, "error|warning|notice|info|debug", "error, warning, notice, info or debug")),
        AtStart("name", &C::name, LoginName, InstanceUser, "user part of our link-local name (default: login name)"),
        Live(Number("carriers", &C::carriers, 5, 1, 100, "hand each message to at most this many carriers")),
        Live(Number("copies", &C::copies, 8, 1, 1024, "copy budget of each message, halved at each handoff (spray-and-wait)")),
        Live(Number("hop-limit", &C::hop_limit, 4, 1, 16, "most handoffs on any message's path")),
        Live(Choice("carry", &C::carry, CarryPolicy::On, "on|off|contacts", "carry for others: on, off or contacts")),
        Live(Number("ttl", &C::ttl_hours, 168, 1, 24 * 365, "hours a carried message is kept for upload")),
        Live(Number("max-body", &C::max_body, 64 * 1024, 1, HalfOfMaxStanza, "largest message body in bytes")),
        Number("max-stanza", &C::max_stanza, 256 * 1024, 4096, 2 << 20, "largest stanza a peer may send, in bytes"),
        YesNo("link-local", &C::link_local, true, "announce ourselves over mDNS and talk to neighbours (yes/no)"),
        YesNo("link-tls", &C::link_tls, true, "announce our TLS key's pin and talk to pigeons that announce theirs only under TLS (yes/no)"),
        Number("port", &C::port, 5298, 0, 65535, "TCP port for link-local streams (0: any free port)"),
        NewUplink(Text("account", &C::account, BareAccount, "our XMPP account JID, if any")),
        Live(Text("first-name", &C::first_name, nullptr, "first name to publish to neighbours (empty: none)")),
        Live(Text("last-name", &C::last_name, nullptr, "last name to publish to neighbours (empty: none)")),
        Live(Text("nick", &C::nick, nullptr, "nickname to publish to neighbours (empty: none)")),
        Live(Number("carry-quota", &C::carry_quota, 100000, 0, 100'000'000, "most messages held for others at once")),
        Live(Number("carry-bytes", &C::carry_bytes, 0, 0, kMaxCarryBytes, "most bytes held for others at once (0: a tenth of the free disk space at start, 1 MiB to 1 GiB)")),
        Live(Number("carry-neighbour-quota", &C::carry_neighbour_quota, 0, 0, 100'000'000, "most messages held from one neighbour (0: a quarter of carry-quota)")),
        Live(Number("carry-neighbour-bytes", &C::carry_neighbour_bytes, 0, 0, kMaxCarryBytes, "most bytes held from one neighbour (0: a quarter of carry-bytes)")),
        Live(Number("carry-origin-quota", &C::carry_origin_quota, 0, 0, 100'000'000, "most messages held for one origin (0: a quarter of carry-quota)")),
        Live(Number("carry-origin-bytes", &C::carry_origin_bytes, 0, 0, kMaxCarryBytes, "most bytes held for one origin (0: a quarter of carry-bytes)")),
        Number("link-idle", &C::link_idle_seconds, 60, 1, 24 * 3600, "seconds without a complete stanza before a link-local stream is closed"),
        Number("link-identify", &C::link_identify_seconds, 5, 1, 300, "seconds an inbound link-local stream has to say who it is, and be found at its address"),
        Number("link-stanza-time", &C::link_stanza_seconds, 10, 1, 3600, "seconds a stanza may take on a link-local stream, plus one per link-min-rate bytes"),
        Number("link-min-rate", &C::link_min_rate, 1024, 1, 1 << 30, "slowest a stanza may arrive, in bytes per second, after link-stanza-time"),
        Number("link-max-streams", &C::link_max_streams, 64, 1, 100000, "most link-local streams at once (and never more than half the descriptor limit)"),
        Number("link-max-per-address", &C::link_max_per_address, 8, 1, 100000, "most inbound link-local streams from one address"),
        Text("link-interfaces", &C::link_interfaces, InterfaceList, "interfaces to take link-local streams on, e.g. eth0,wlan0 (empty: all but loopback)"),
        Choice("link-accept", &C::link_accept, LinkAccept::OnLink, "link-local|on-link|any", "sources to take link-local streams from: link-local addresses, also addresses on the interface's subnets, or any"),
        NewUplink(Unset("password-file", &C::password_file, "file holding the account password (mode 0600)")),
        NewUplink(Unset("password-command", &C::password_command, "command that prints the account password")),
        NewUplink(Text("bosh-url", &C::bosh_url, HttpUrl, "the server's BOSH endpoint, e.g. https://example.org/http-bind (default: discovered)")),
        NewUplink(Text("host-meta-url", &C::host_meta_url, HttpUrl, "where to discover the BOSH endpoint (default https://DOMAIN/.well-known/host-meta)")),
        NewUplink(Text("probe-url", &C::probe_url, HttpUrl, "where to probe connectivity (default: the BOSH URL)")),
        NewUplink(Number("probe-interval-max", &C::probe_interval_max, 300, 5, 24 * 3600, "longest wait between connectivity probes, in seconds")),
        NewUplink(YesNo("only-pigeons", &C::only_pigeons, false, "never send our own messages to the server; carriers only (yes/no)")),
        NewUplink(Choice("transport", &C::transport, Transport::Auto, "auto|c2s|bosh", "how to reach the server: c2s (TCP, TLS), bosh (HTTP), or auto (c2s, else BOSH)")),
        NewUplink(Text("tls-ca-file", &C::tls_ca_file, nullptr, "an extra trusted CA certificate (PEM) for c2s TLS, e.g. a private CA (empty: the system's only)")),
        NewUplink(YesNo("tls-insecure", &C::tls_insecure, false, "accept any c2s server certificate, unchecked: for tests only (yes/no)")),
        NewUplink(Number("custody-wait", &C::custody_wait_seconds, 3600, 0, 7 * 24 * 3600, "seconds to wait for the recipient's receipt after a carrier reports it uploaded one of our messages, before we send it ourselves")),
    };
    // clang-format on
    return settings;
}

const Setting& SettingOf(SettingMember member)
{
    for (const auto& setting : Settings())
        if (setting.member == member)
            return setting;
    throw std::logic_error("a DaemonConfig member without a setting");
}

void Assign(const Setting& setting, SettingValue value, DaemonConfig& config)
{
    try {
        std::visit([&](auto member) { AssignTyped(setting, std::move(value), config.*member); },
                   setting.member);
    } catch (const OptionsError&) {
        throw;
    } catch (const std::exception& e) {
        throw OptionsError(e.what()); // log::ParseLevel's
    }
}

void CheckDependentRanges(const DaemonConfig& config)
{
    for (const auto& setting : Settings()) {
        if (setting.high_of == nullptr)
            continue;
        const auto number = [&config](auto member) -> std::int64_t {
            if constexpr (std::is_arithmetic_v<SettingType<decltype(member)>>)
                return std::int64_t(config.*member);
            else
                throw std::logic_error("a range on a setting that is not a number");
        };
        CheckRange(setting, std::visit(number, setting.member), setting.high_of(config));
    }
}

SettingValue ValueOf(const Setting& setting, const DaemonConfig& config)
{
    return std::visit([&config](auto member) { return SettingValue(config.*member); },
                      setting.member);
}

void CopyValue(const Setting& setting, const DaemonConfig& from, DaemonConfig& to)
{
    std::visit([&](auto member) { to.*member = from.*member; }, setting.member);
}

std::string ValueText(const Setting& setting, const SettingValue& value)
{
    return std::visit(
        [&setting]<typename T>(const T& v) -> std::string {
            if constexpr (std::is_same_v<T, std::string>)
                return v;
            else if constexpr (std::is_same_v<T, std::filesystem::path>)
                return v.string();
            else if constexpr (std::is_same_v<T, bool>)
                return v ? "yes" : "no";
            else if constexpr (std::is_enum_v<T>) {
                for (const auto choice : ChoiceNames(setting.choices))
                    if (ParseChoice<T>(setting, std::string(choice)) == v)
                        return std::string(choice);
                throw std::logic_error("a value that is none of its setting's choices");
            } else
                return std::to_string(v);
        },
        value);
}

} // namespace pigeon
