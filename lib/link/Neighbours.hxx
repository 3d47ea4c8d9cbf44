#pragma once
// Who is on the link. Follows the neighbours' XEP-0174 announcements (the
// avahi::Presence listener), keeps one record per neighbour with what its TXT
// record says, and notes each in the store for `pigeonctl peers`. What to do
// about a neighbour is for its owner to decide.

#include "avahi/Presence.hxx"
#include "link/PinTrust.hxx"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace pigeon::store {
class Store;
} // namespace pigeon::store

namespace pigeon::link {

// The TXT key under which a pigeon announces its TLS pin (ssl::TlsKey::Pin).
inline constexpr const char* kPinKey = "tls-pin";

// The pin `txt` announces, empty if none.
std::string PinIn(const avahi::TxtRecord& txt);

struct Neighbour {
    avahi::ServiceInfo info;                          // as announced; addresses as last resolved
    std::chrono::steady_clock::time_point resolved{}; // when those addresses were
    std::string jid; // the account its TXT record names, empty if none
    // The TLS pin it announces, empty if none (a chat client). Once seen it
    // stays, even if a later TXT record drops it: no downgrade to plain.
    std::string pin;
    std::string pin_sig;    // its tls-pin-sig, kept with the pin
    PinVerdict pin_verdict; // what ties the pin to `jid` (PinTrust), as last judged
    bool carrier = false;   // a pigeon peer (our caps node), so it may carry
    bool present = false;   // announced right now
};

// The names a neighbour goes by: its instance, and the account it announces.
std::vector<std::string> NamesOf(const std::string& instance, const Neighbour& neighbour);

class Neighbours final : public avahi::Presence::Listener {
public:
    // What the owner hears, on the loop. It must not throw.
    struct Owner {
        // `instance` appeared (`fresh`) or changed its TXT record, and its
        // record is up to date: there may be something for it now. A pigeon
        // we met appears as soon as it is announced again, with the record
        // we kept (addresses, pin); resolved, it is seen again, not fresh.
        virtual void OnNeighbourSeen(const std::string& instance, bool fresh) noexcept = 0;
        // `instance` is announced no more; its record stays until Forget().
        virtual void OnNeighbourGone(const std::string& instance) noexcept = 0;
        // Our own instance is announced (again, perhaps under the same name):
        // contacts that waited for it may go ahead.
        virtual void OnOwnName(const std::string& instance) noexcept = 0;

    protected:
        ~Owner() = default;
    };

    // `want_key` asks for an account's key when a signed pin waits for it.
    Neighbours(store::Store& store, Owner& owner, PinTrust::WantKey want_key) noexcept;

    // nullptr when we keep no record of `instance`.
    const Neighbour* Find(const std::string& instance) const noexcept;
    // The record of `instance`, made empty (not present) if we had none: an
    // instance may open a stream to us before we see its announcement.
    const Neighbour& Record(const std::string& instance);
    // Where `instance` was just resolved: shown, and used for a while.
    void SetAddresses(const std::string& instance, std::vector<avahi::Endpoint> endpoints);
    // The addresses of `instance` if it is announced and they were resolved
    // a few seconds ago at most (as it came up, or for the last dial), else
    // nullptr: then resolve it afresh.
    const std::vector<avahi::Endpoint>* FreshAddresses(const std::string& instance) const noexcept;
    // They did not answer: the next contact resolves afresh.
    void ExpireAddresses(const std::string& instance) noexcept;
    // Drops the record of `instance`. That of a pigeon with a pin is kept
    // aside (the last kRemembered gone), so that when it is announced again
    // it can be dialled before it resolves (OnNeighbourAnnounced).
    void Forget(const std::string& instance) noexcept;

    // The verdict on the pin `txt` announces for `instance` (a fresh resolve;
    // the record's when it announces none). Throws what the store throws.
    PinVerdict Vouch(const std::string& instance, const avahi::TxtRecord& txt);
    // The key of `account` arrived: the pins signed for it are judged again.
    // Returns the instances now refused (Mismatch). Throws what the store throws.
    std::vector<std::string> OnKeyArrived(const std::string& account);
    // Forgets the pin vouched for `instance`'s account and judges its pin
    // again (now the first one vouched); false if none was remembered.
    // Throws what the store throws.
    bool ForgetPin(const std::string& instance);
    // Whether the pin of `instance` is refused (Mismatch), as last judged.
    bool Refused(const std::string& instance) const noexcept;
    // The accounts whose signed pins wait for their keys.
    std::vector<std::string> UnvouchedAccounts() const;

    // Every record, present or not, by instance.
    const std::map<std::string, Neighbour>& All() const noexcept { return table_; }

private:
    // avahi::Presence::Listener
    void OnNeighbourAnnounced(const std::string& instance) noexcept override;
    void OnNeighbourUp(const avahi::ServiceInfo& info) noexcept override;
    void OnNeighbourDown(const std::string& instance) noexcept override;
    void OnNeighbourTxt(const std::string& instance, const avahi::TxtRecord& txt) noexcept override;
    void OnOwnName(const std::string& instance) noexcept override;

    // Takes what the TXT record says (carrier or not, jid) and notes it in
    // the store. Throws what the store throws.
    void Learn(const std::string& instance, Neighbour& neighbour, const char* event);
    // Judges `neighbour`'s pin again; a new verdict goes to the handshake
    // log. Throws what the store throws.
    void Judge(const std::string& instance, Neighbour& neighbour);

    // Gone pigeons whose pins we hold, with when they went: bounded, since a
    // stranger may announce and withdraw names without end.
    struct Remembered {
        Neighbour record;
        std::chrono::steady_clock::time_point gone;
    };
    static constexpr std::size_t kRemembered = 64;

    store::Store& store_;
    Owner& owner_;
    PinTrust trust_;
    std::map<std::string, Neighbour> table_;
    std::map<std::string, Remembered> remembered_;
};

} // namespace pigeon::link
