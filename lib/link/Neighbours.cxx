#include "link/Neighbours.hxx"

#include "xmpp/Namespaces.hxx"

#include "link/CarryProtocol.hxx"
#include "link/HandshakeLog.hxx"
#include "store/Store.hxx"
#include "util/Log.hxx"
#include "util/Time.hxx"

namespace pigeon::link {

std::vector<std::string> NamesOf(const std::string& instance, const Neighbour& neighbour)
{
    std::vector<std::string> names{instance};
    if (!neighbour.jid.empty() && neighbour.jid != instance)
        names.push_back(neighbour.jid);
    return names;
}
namespace {

// Addresses on a link change rarely (a host re-addressed, a DHCP lease); a
// stale one costs one failed dial, after which we resolve again. Each use
// within this long of a resolve saves the round trips to avahi-daemon and
// the peer (both ends of every new stream would otherwise resolve).
constexpr auto kAddressesFresh = std::chrono::seconds(30);

std::string Join(const std::vector<avahi::Endpoint>& endpoints)
{
    std::string text;
    for (const auto& e : endpoints) {
        if (!text.empty())
            text += ' ';
        text += e.address.to_string();
    }
    return text;
}

} // namespace

Neighbours::Neighbours(store::Store& store, Owner& owner) noexcept : store_(store), owner_(owner)
{
}

const Neighbour* Neighbours::Find(const std::string& instance) const noexcept
{
    const auto it = table_.find(instance);
    return it != table_.end() ? &it->second : nullptr;
}

const Neighbour& Neighbours::Record(const std::string& instance)
{
    return table_[instance];
}

void Neighbours::SetAddresses(const std::string& instance, std::vector<avahi::Endpoint> endpoints)
{
    if (const auto it = table_.find(instance); it != table_.end()) {
        it->second.info.endpoints = std::move(endpoints);
        it->second.resolved = std::chrono::steady_clock::now();
    }
}

const std::vector<avahi::Endpoint>*
Neighbours::FreshAddresses(const std::string& instance) const noexcept
{
    const auto it = table_.find(instance);
    if (it == table_.end() || !it->second.present || it->second.info.endpoints.empty() ||
        std::chrono::steady_clock::now() - it->second.resolved > kAddressesFresh)
        return nullptr;
    return &it->second.info.endpoints;
}

void Neighbours::ExpireAddresses(const std::string& instance) noexcept
{
    if (const auto it = table_.find(instance); it != table_.end())
        it->second.resolved = {};
}

void Neighbours::Forget(const std::string& instance) noexcept
{
    table_.erase(instance);
}

void Neighbours::OnNeighbourUp(const avahi::ServiceInfo& info) noexcept
{
    try {
        auto& neighbour = table_[info.instance];
        neighbour.info = info;
        neighbour.resolved = std::chrono::steady_clock::now();
        neighbour.present = true;
        Learn(info.instance, neighbour, "seen");
        owner_.OnNeighbourSeen(info.instance, true);
    } catch (const std::exception& e) {
        log::Error("link", std::string("neighbour up: ") + e.what());
    }
}

void Neighbours::OnNeighbourTxt(const std::string& instance, const avahi::TxtRecord& txt) noexcept
{
    try {
        const auto it = table_.find(instance);
        if (it == table_.end() || !it->second.present)
            return;
        it->second.info.txt = txt;
        Learn(instance, it->second, "changed");
        owner_.OnNeighbourSeen(instance, false);
    } catch (const std::exception& e) {
        log::Error("link", std::string("neighbour TXT change: ") + e.what());
    }
}

std::string PinIn(const avahi::TxtRecord& txt)
{
    const auto pin = txt.find(kPinKey);
    return pin != txt.end() ? pin->second : std::string();
}

void Neighbours::Learn(const std::string& instance, Neighbour& neighbour, const char* event)
{
    const auto& txt = neighbour.info.txt;
    if (auto pin = PinIn(txt); !pin.empty())
        neighbour.pin = std::move(pin);
    else if (!neighbour.pin.empty())
        LogHandshake(store_, instance, "pin kept", "its TXT record dropped its TLS pin");
    const auto node = txt.find("node");
    neighbour.carrier = node != txt.end() && node->second == xmpp::ns::kPigeon;
    const auto jid = txt.find("jid");
    neighbour.jid = jid != txt.end() ? jid->second : std::string();
    const UnixMs now = NowMs();
    const std::string addresses = Join(neighbour.info.endpoints);
    store_.NoteNeighbour({instance, neighbour.jid, neighbour.carrier, addresses, now, now});
    LogHandshake(store_, instance, event,
                 (neighbour.carrier ? "carrier " : "chat-only ") +
                     (neighbour.jid.empty() ? std::string() : neighbour.jid + " ") + addresses);
}

void Neighbours::OnNeighbourDown(const std::string& instance) noexcept
{
    const auto it = table_.find(instance);
    if (it == table_.end())
        return;
    it->second.present = false;
    LogHandshake(store_, instance, "gone", {});
    owner_.OnNeighbourGone(instance);
}

void Neighbours::OnOwnName(const std::string& instance) noexcept
{
    owner_.OnOwnName(instance);
}

} // namespace pigeon::link
