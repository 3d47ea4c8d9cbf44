#pragma once
// A carrier tells the origins of what it carried how far each message got
// (doc/carry-protocol.md, "Custody"): uploaded, or taken by its recipient
// (with the recipient's signed receipt, or a stock client's unsigned one
// relayed). Each notice goes to the origin's bare JID through our server,
// signed by our key and hinted to be stored, so that an origin that is away
// reads it from its archive when it next logs in, before it sends anything
// itself. What the server took is marked told; the rest goes on the next flush.

#include <set>
#include <string>

namespace pigeon::crypto {
class Identity;
}

namespace pigeon::store {
class Store;
}

namespace pigeon::uplink {

class KeyDirectory;
class ServerLink;

class CustodyNotices {
public:
    // All must outlive the notices.
    CustodyNotices(store::Store& store, ServerLink& link, const KeyDirectory& keys,
                   const crypto::Identity& us) noexcept;

    // Sends what origins have not been told yet; to be called while online.
    void Flush() noexcept;
    // The session ended: nothing is in flight any more.
    void Forget() noexcept { sending_.clear(); }

private:
    store::Store& store_;
    ServerLink& link_;
    const KeyDirectory& keys_;
    const crypto::Identity& us_;
    std::set<std::string> sending_; // origin, origin-id and news, in flight
};

} // namespace pigeon::uplink
