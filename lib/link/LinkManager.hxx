#pragma once
// The subway half of pigeon, put together: announces us over mDNS and wires
// the steps of a message's way across the link, one class each:
//   Neighbours     who is here (the presence listener and the neighbour table)
//   Connections    streams with them: listen, accept, dial, identify, retry
//   Summaries      what a carrier and we hold, told once a contact
//   Handoff        our queued messages to carriers (at most K each)
//   Relay          what we carry, on to other carriers (spray-and-wait)
//   DirectDelivery our messages to a recipient who is itself a neighbour
//   CarrierDesk    what neighbours hand us to carry
//   Courier        what we carry, to its recipient; what we know of it, to its origin
//   CourierDesk    what a carrier hands us as recipient, or tells us as origin
// and routes each stanza that arrives to the one that takes it.

#include "avahi/Presence.hxx"
#include "crypto/Identity.hxx"
#include "inbox/Receiver.hxx"
#include "link/CarrierDesk.hxx"
#include "link/Connections.hxx"
#include "link/Courier.hxx"
#include "link/CourierDesk.hxx"
#include "link/Dialer.hxx"
#include "link/DirectDelivery.hxx"
#include "link/Handoff.hxx"
#include "link/LinkConfig.hxx"
#include "link/Neighbours.hxx"
#include "link/Relay.hxx"
#include "link/Stream.hxx"
#include "link/Summaries.hxx"
#include "link/Tombstones.hxx"
#include "store/Model.hxx"
#include "util/Time.hxx"
#include "xmpp/Message.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace pigeon::store {
class Store;
} // namespace pigeon::store

namespace pigeon::link {

struct PeerView {
    std::string instance;
    std::string jid;
    bool carrier = false;
    bool present = false;
    bool connected = false;
    bool encrypted = false;          // connected under TLS with its pinned key
    bool pinned = false;             // it announces a TLS pin: never talked to in plain
    PinVouch vouch = PinVouch::None; // what ties its pin to its account (PinBinding)
    std::vector<std::string> addresses;
};

class LinkManager final : private Neighbours::Owner, private Connections::Owner {
public:
    // Listens and starts announcing. Throws std::system_error if the port
    // cannot be bound, std::invalid_argument without an identity.
    LinkManager(boost::asio::io_context& io, store::Store& store, LinkConfig config);
    ~LinkManager();
    LinkManager(const LinkManager&) = delete;
    LinkManager& operator=(const LinkManager&) = delete;

    // Something in our queue or what we carry changed: offer to whoever can
    // take something now, but `giver` if it was what it gave us.
    void OutboxChanged(const std::string& giver = {}) noexcept;
    // `item` was just queued: as OutboxChanged, once each carrier's walk
    // through our queue takes it in.
    void Queued(const store::OutboxItem& item) noexcept;
    // avail, away or dnd, published in place in our TXT record.
    void SetStatus(const std::string& status);
    // Our account changed (empty: none): republished in our TXT `jid`, and
    // the origin of the messages we hand over from now on.
    void SetAccount(const std::string& account);
    // The settings that may change while we run (SIGHUP) take `fresh`'s
    // values: K, whom we carry for, for how long, how many, and the profile
    // we publish. The others stay. Throws what Avahi and the store throw.
    void Reconfigure(const LinkConfig& fresh);
    std::string OwnInstance() const;
    // What we hold for others at most, as resolved at start or the last reload.
    const CarryLimits& Limits() const noexcept { return config_.carry_limits; }
    // The JID our messages come from: the account, or our link-local name.
    std::string OriginJid() const;
    // How a message queued now is sealed and signed, once (OutboxSigner);
    // none before we have an origin, which catches up with it then.
    store::SealFor SealOnQueue();
    std::vector<PeerView> Peers() const;
    // The key of `account` arrived through our server: the pins signed for
    // it are judged again, and the streams of those now refused closed.
    void KeyArrived(const std::string& account) noexcept;
    // Accepts the pin `instance` announces now, as the user asked (`peers
    // forget-pin`); false if no pin was remembered for it. Throws what the
    // store throws.
    bool ForgetPin(const std::string& instance);
    // The accounts whose keys neighbours' signed pins wait for.
    std::vector<std::string> UnvouchedAccounts() const { return neighbours_.UnvouchedAccounts(); }
    std::uint16_t Port() const noexcept { return connections_.Port(); }

private:
    // Neighbours::Owner
    void OnNeighbourSeen(const std::string& instance, bool fresh) noexcept override;
    void OnNeighbourGone(const std::string& instance) noexcept override;
    void OnOwnName(const std::string& instance) noexcept override;
    // Connections::Owner
    bool HasWork(const std::string& instance) override;
    void OnLinkReady(const std::string& instance) override;
    void OnLinkLost(const std::string& instance, Stream::Ending ending) noexcept override;
    void OnStanza(Stream& stream, const xml::Element& stanza) noexcept override;

    avahi::TxtRecord Txt() const;
    // A neighbour that refused our handoff or delivery for now may be asked
    // again: contacted if still here with something for it.
    void ContactAgain(const std::string& instance) noexcept;
    // The summary exchange with `instance` settled: relay what it lacks.
    void SummarySettled(const std::string& instance) noexcept;
    // neighbour-up or neighbour-down, for those who watch.
    void PublishNeighbour(const char* kind, const std::string& instance) noexcept;
    // Sends what waits for `instance` over our stream with it, if open:
    // direct messages, then batches to carry. Throws what the store throws.
    void Pump(const std::string& instance);
    // Offers to the other carriers what waited for `instance`'s answer.
    void PumpOthers(const std::string& instance);
    // Drops everything we keep about `instance`.
    void Forget(const std::string& instance) noexcept;
    // Throws what the store throws.
    void RouteIq(Stream& stream, const xml::Element& iq);
    void RouteReply(Stream& stream, const xml::Element& iq);
    void HandleCarryReply(Stream& stream, const xml::Element& iq);
    void HandleChat(Stream& stream, const xml::Element& stanza);
    // The name a neighbour goes by as a sender: the account it announces,
    // else its instance.
    std::string PeerName(const std::string& instance) const;
    // The names messages to us may carry: our account and our instance.
    std::vector<std::string> OurNames() const;

    store::Store& store_;
    LinkConfig config_;
    std::string status_ = "avail";
    Neighbours neighbours_;
    Connections connections_;
    Handoff handoff_;
    Summaries summaries_; // before Relay and Tombstones, which read it
    Relay relay_;
    DirectDelivery direct_;
    CarrierDesk desk_;
    Courier courier_;
    inbox::Receiver receiver_;
    CourierDesk courier_desk_;
    Tombstones tombstones_;
    avahi::Presence presence_; // last: its callbacks use everything above
};

} // namespace pigeon::link
