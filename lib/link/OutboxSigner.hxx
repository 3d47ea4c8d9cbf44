#pragma once
// Seals and signs our queued messages once, when they are queued, instead of
// at every handoff (issue 13: signing was 40% of the sender's time in a
// handoff). A seal is kept with its message (store::OutboxSeal) and made
// again only when it no longer holds: our origin changed (an account set,
// another link-local name) or the recipient's key did.
//
// Messages queued before we had an origin, or before schema 16, are sealed
// in the background, a page per turn of the loop (CatchUp); until then a
// handoff makes their seals itself.

#include "store/Model.hxx"
#include "util/Alive.hxx"
#include "xmpp/Protection.hxx"

#include <boost/asio/io_context.hpp>

#include <map>
#include <optional>
#include <string>

namespace pigeon::crypto {
class Identity;
}
namespace pigeon::store {
class Store;
}

namespace pigeon::link {

class OutboxSigner {
public:
    // Recipients' keys as the store holds them (base64), by recipient as
    // queued, looked up once per walk.
    using Keys = std::map<std::string, std::optional<std::string>>;

    OutboxSigner(boost::asio::io_context& io, store::Store& store,
                 const crypto::Identity& us) noexcept;

    // `item`'s seal as `origin` sends it now: sealed when the recipient's key
    // is known. Throws std::invalid_argument for an unusable key.
    store::OutboxSeal Make(const store::OutboxItem& item, const std::string& origin, Keys& keys);
    // The seal a handoff puts on `item`: the one kept with it while it holds.
    xmpp::Seal SealOf(const store::OutboxItem& item, const std::string& origin, Keys& keys);
    // Seals, in the background, the queued messages not signed as `origin`.
    void CatchUp(const std::string& origin);

private:
    const std::optional<std::string>& KeyOf(const std::string& recipient, Keys& keys);
    void SealNextPage();
    void SealPage();

    boost::asio::io_context& io_;
    store::Store& store_;
    const crypto::Identity& us_;
    std::string origin_; // what CatchUp walks for; empty when idle
    store::QueuePosition at_;
    std::size_t sealed_ = 0; // by this walk
    Alive alive_;
};

} // namespace pigeon::link
