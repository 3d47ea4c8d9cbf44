#include "link/Neighbours.hxx"

#include "xmpp/Namespaces.hxx"

#include "link/CarryProtocol.hxx"
#include "link/HandshakeLog.hxx"
#include "store/Store.hxx"
#include "util/Log.hxx"
#include "util/Time.hxx"

#include <algorithm>

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

std::string Value(const avahi::TxtRecord& txt, const char* key)
{
    const auto it = txt.find(key);
    return it != txt.end() ? it->second : std::string();
}

} // namespace

Neighbours::Neighbours(store::Store& store, Owner& owner, PinTrust::WantKey want_key) noexcept
    : store_(store), owner_(owner), trust_(store, std::move(want_key))
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
    const auto it = table_.find(instance);
    if (it == table_.end())
        return;
    auto& record = it->second;
    if (!record.pin.empty() && !record.info.endpoints.empty() &&
        record.pin_verdict.vouch != PinVouch::Mismatch) {
        record.present = false;
        remembered_.insert_or_assign(
            instance, Remembered{std::move(record), std::chrono::steady_clock::now()});
        if (remembered_.size() > kRemembered)
            remembered_.erase(std::min_element(
                remembered_.begin(), remembered_.end(),
                [](const auto& a, const auto& b) { return a.second.gone < b.second.gone; }));
    }
    table_.erase(it);
}

void Neighbours::OnNeighbourAnnounced(const std::string& instance) noexcept
{
    // A pigeon we met, announced again. Its SRV and TXT records do not answer
    // while its responder probes them (about 0.75 s, RFC 6762 section 8.1),
    // a good part of a contact in passing; but it most likely listens where
    // it did. It is dialled there at once, under TLS with the pin it showed
    // us, which only the holder of that key can answer to. If it moved, that
    // costs one failed dial; its records, once they answer, give the next.
    const auto returning = [](const Neighbour& n) {
        return !n.present && !n.pin.empty() && !n.info.endpoints.empty() &&
               n.pin_verdict.vouch != PinVouch::Mismatch;
    };
    try {
        auto it = table_.find(instance);
        if (it == table_.end()) {
            const auto kept = remembered_.find(instance);
            if (kept == remembered_.end())
                return;
            Judge(instance, kept->second.record); // a key may have come meanwhile
            if (!returning(kept->second.record))
                return;
            it = table_.emplace(instance, std::move(kept->second.record)).first;
            remembered_.erase(kept);
        } else if (!returning(it->second)) {
            return;
        }
        auto& neighbour = it->second;
        neighbour.present = true;
        neighbour.resolved = std::chrono::steady_clock::now();
        LogHandshake(store_, instance, "back",
                     "announced again: its last addresses until it resolves, " +
                         Join(neighbour.info.endpoints));
        owner_.OnNeighbourSeen(instance, true);
    } catch (const std::exception& e) {
        log::Error("link", std::string("neighbour announced: ") + e.what());
    }
}

void Neighbours::OnNeighbourUp(const avahi::ServiceInfo& info) noexcept
{
    try {
        // Up again without OnNeighbourAnnounced taking it back: what we kept
        // (its pin above all) still holds.
        if (const auto kept = remembered_.find(info.instance); kept != remembered_.end()) {
            table_.try_emplace(info.instance, std::move(kept->second.record));
            remembered_.erase(kept);
        }
        auto& neighbour = table_[info.instance];
        const bool fresh = !neighbour.present; // else back already, on its announcement
        neighbour.info = info;
        neighbour.resolved = std::chrono::steady_clock::now();
        neighbour.present = true;
        Learn(info.instance, neighbour, "seen");
        owner_.OnNeighbourSeen(info.instance, fresh);
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
    return Value(txt, kPinKey);
}

void Neighbours::Learn(const std::string& instance, Neighbour& neighbour, const char* event)
{
    const auto& txt = neighbour.info.txt;
    const auto node = txt.find("node");
    neighbour.carrier = node != txt.end() && node->second == xmpp::ns::kPigeon;
    neighbour.jid = Value(txt, "jid");
    if (auto pin = PinIn(txt); !pin.empty()) {
        neighbour.pin = std::move(pin);
        neighbour.pin_sig = Value(txt, kPinSigKey);
    } else if (!neighbour.pin.empty()) {
        LogHandshake(store_, instance, "pin kept", "its TXT record dropped its TLS pin");
    }
    const UnixMs now = NowMs();
    const std::string addresses = Join(neighbour.info.endpoints);
    store_.NoteNeighbour({instance, neighbour.jid, neighbour.carrier, addresses, now, now});
    LogHandshake(store_, instance, event,
                 (neighbour.carrier ? "carrier " : "chat-only ") +
                     (neighbour.jid.empty() ? std::string() : neighbour.jid + " ") + addresses);
    Judge(instance, neighbour);
}

void Neighbours::Judge(const std::string& instance, Neighbour& neighbour)
{
    auto verdict = trust_.Judge(instance, neighbour.jid, neighbour.pin, neighbour.pin_sig);
    if (verdict == neighbour.pin_verdict)
        return;
    neighbour.pin_verdict = std::move(verdict);
    const auto& [vouch, why] = neighbour.pin_verdict;
    if (vouch == PinVouch::Mismatch)
        LogHandshake(store_, instance, "refused", Refusal(neighbour.pin_verdict));
    else if (vouch != PinVouch::None)
        LogHandshake(store_, instance, std::string("pin ") + ToString(vouch), why);
}

PinVerdict Neighbours::Vouch(const std::string& instance, const avahi::TxtRecord& txt)
{
    if (const auto pin = PinIn(txt); !pin.empty())
        return trust_.Judge(instance, Value(txt, "jid"), pin, Value(txt, kPinSigKey));
    const auto it = table_.find(instance);
    if (it == table_.end())
        return {};
    Judge(instance, it->second); // a key may have come, a pin been forgotten
    return it->second.pin_verdict;
}

std::vector<std::string> Neighbours::OnKeyArrived(const std::string& account)
{
    std::vector<std::string> refused;
    for (auto& [instance, neighbour] : table_) {
        if (neighbour.jid != account || neighbour.pin.empty())
            continue;
        Judge(instance, neighbour);
        if (neighbour.pin_verdict.vouch == PinVouch::Mismatch)
            refused.push_back(instance);
    }
    return refused;
}

bool Neighbours::ForgetPin(const std::string& instance)
{
    std::string account;
    // Nor dialled on that pin when it is announced again: learnt afresh then.
    if (const auto kept = remembered_.find(instance); kept != remembered_.end()) {
        account = kept->second.record.jid;
        remembered_.erase(kept);
    }
    const auto it = table_.find(instance);
    if (it != table_.end())
        account = it->second.jid;
    const bool forgotten = trust_.Forget(instance, account);
    if (it != table_.end())
        Judge(instance, it->second);
    return forgotten;
}

bool Neighbours::Refused(const std::string& instance) const noexcept
{
    const auto* neighbour = Find(instance);
    return neighbour != nullptr && neighbour->pin_verdict.vouch == PinVouch::Mismatch;
}

std::vector<std::string> Neighbours::UnvouchedAccounts() const
{
    std::vector<std::string> accounts;
    for (const auto& [instance, neighbour] : table_)
        if (neighbour.pin_verdict.vouch == PinVouch::Unvouched && !neighbour.pin_sig.empty() &&
            !neighbour.jid.empty())
            accounts.push_back(neighbour.jid);
    return accounts;
}

void Neighbours::OnNeighbourDown(const std::string& instance) noexcept
{
    const auto it = table_.find(instance);
    if (it == table_.end() || !it->second.present) // an announcement we did not act on
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
