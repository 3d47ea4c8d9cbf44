#pragma once
// Judges neighbours' TLS pins (PinBinding) with what the store holds: the
// keys our server path learnt (uplink::KeyDirectory) and the pins vouched
// for before. A signature that waits for a key asks the owner to fetch it;
// its arrival is for the owner to pass on (Neighbours::OnKeyArrived).

#include "link/PinBinding.hxx"

#include <functional>
#include <string>

namespace pigeon::store {
class Store;
} // namespace pigeon::store

namespace pigeon::link {

class PinTrust {
public:
    // Asks for the key of `account` from its server, if we can now (else
    // nothing: the pin stays unvouched). Must not throw; may be empty.
    using WantKey = std::function<void(const std::string& account)>;

    PinTrust(store::Store& store, WantKey want_key);

    // The verdict on `pin` and `signature` that `instance` announces for
    // `account`; a pin vouched for the first time is remembered. Throws what
    // the store throws.
    PinVerdict Judge(const std::string& instance, const std::string& account,
                     const std::string& pin, const std::string& signature);
    // Forgets the pin remembered for `account`, or the one `instance`
    // showed; false if there was none. Throws what the store throws.
    bool Forget(const std::string& instance, const std::string& account);

private:
    store::Store& store_;
    WantKey want_key_;
};

} // namespace pigeon::link
