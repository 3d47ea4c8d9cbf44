#pragma once
// What goes up to our server: our own queued messages, sent directly, and
// what we carry for others, the origin's forwarded stanza inside a message
// a stock client can read too. Each is marked sent or uploaded only once the
// server accepted the request that carried it; what it did not take is
// offered again on the next flush.

#include <set>
#include <string>

namespace pigeon::store {
class Store;
}

namespace pigeon::uplink {

class KeyDirectory;
class ServerLink;

class Uploader {
public:
    // All must outlive the Uploader. `only_pigeons`: never send our own
    // messages to the server directly, only through carriers.
    Uploader(store::Store& store, ServerLink& link, const KeyDirectory& keys,
             bool only_pigeons) noexcept;

    // Sends what we can now; to be called while the link is online.
    void Flush() noexcept;
    // The session ended: nothing is in flight any more.
    void Forget() noexcept;

private:
    void SendOwn();
    void UploadCarried();

    store::Store& store_;
    ServerLink& link_;
    const KeyDirectory& keys_;
    bool only_pigeons_;
    std::set<std::string> sending_;   // our origin-ids in flight to the server
    std::set<std::string> uploading_; // origin + "\n" + origin-id in flight
};

} // namespace pigeon::uplink
