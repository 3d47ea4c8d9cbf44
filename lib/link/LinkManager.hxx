#pragma once
// The subway half of pigeon: announces us over mDNS, keeps one record per
// neighbour, opens XEP-0174 streams on demand and moves messages across them:
// our queued messages to carriers (at most K each), messages straight to a
// recipient who is itself a neighbour, and what neighbours hand to us.

#include "avahi/Presence.hxx"
#include "crypto/Identity.hxx"
#include "link/CarrierDesk.hxx"
#include "link/Dialer.hxx"
#include "link/DirectDelivery.hxx"
#include "link/Handoff.hxx"
#include "link/LinkConfig.hxx"
#include "link/Neighbours.hxx"
#include "link/Stream.hxx"
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
    std::vector<std::string> addresses;
};

class LinkManager final : private Neighbours::Owner, public StreamOwner {
public:
    // Listens and starts announcing. Throws std::system_error if the port
    // cannot be bound, std::invalid_argument without an identity.
    LinkManager(boost::asio::io_context& io, store::Store& store, LinkConfig config);
    ~LinkManager();
    LinkManager(const LinkManager&) = delete;
    LinkManager& operator=(const LinkManager&) = delete;

    // A message was queued: offer it to whoever can take it now.
    void OutboxChanged() noexcept;
    // avail, away or dnd, published in place in our TXT record.
    void SetStatus(const std::string& status);
    // Our account changed (empty: none): republished in our TXT `jid`, and
    // the origin of the messages we hand over from now on.
    void SetAccount(const std::string& account);
    std::string OwnInstance() const;
    // The JID our messages come from: the account, or our link-local name.
    std::string OriginJid() const;
    std::vector<PeerView> Peers() const;
    std::uint16_t Port() const noexcept { return port_; }

private:
    struct Peer {
        bool connecting = false;
        std::unique_ptr<Dialer> dialer;                   // our connection attempt, while it lasts
        std::shared_ptr<Stream> stream;                   // the stream we use with it, once open
        std::unique_ptr<boost::asio::steady_timer> timer; // retry
        int retry_seconds = 2;
    };

    // Neighbours::Owner
    void OnNeighbourSeen(const std::string& instance, bool fresh) noexcept override;
    void OnNeighbourGone(const std::string& instance) noexcept override;
    void OnOwnName(const std::string& instance) noexcept override;
    // StreamOwner
    void OnStreamHeader(Stream& stream, const xml::StreamHeader& header) noexcept override;
    void OnStanza(Stream& stream, const xml::Element& stanza) noexcept override;
    void OnStreamClosed(Stream& stream, const std::string& reason) noexcept override;

    void Listen(const boost::asio::ip::tcp::endpoint& endpoint);
    std::shared_ptr<Stream> NewStream(boost::asio::ip::tcp::socket socket, Stream::Role role);
    void Accept(boost::asio::ip::tcp::acceptor& acceptor);
    avahi::TxtRecord Txt() const;
    void Identify(const std::shared_ptr<Stream>& stream, const xml::StreamHeader& header);
    // Whether something waits for `instance`. Throws what the store throws.
    bool HasWork(const std::string& instance);
    // Drops everything we keep about `instance`.
    void Forget(const std::string& instance) noexcept;
    void Contact(const std::string& instance);
    void Dial(const std::string& instance, std::vector<avahi::Endpoint> endpoints);
    void RetryLater(const std::string& instance);
    void Pump(const std::string& instance);
    // Offers to the other carriers what waited for `instance`'s answer.
    void PumpOthers(const std::string& instance);
    void HandleCarryReply(Stream& stream, const xml::Element& iq);
    void HandleChat(Stream& stream, const xml::Element& message);
    Peer* PeerOf(Stream& stream);
    void Log(const std::string& instance, const std::string& event, const std::string& detail);

    boost::asio::io_context& io_;
    store::Store& store_;
    LinkConfig config_;
    std::uint16_t port_ = 0;
    std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
    std::map<std::string, Peer> peers_;
    std::set<std::shared_ptr<Stream>> unidentified_;
    std::vector<std::weak_ptr<Stream>> streams_; // every stream we made, to detach at the end
    std::string status_ = "avail";
    bool stopping_ = false;
    CarrierDesk desk_;
    DirectDelivery direct_;
    Handoff handoff_;
    Neighbours neighbours_;
    avahi::Presence presence_; // its callbacks use everything above
    Alive alive_;              // last: gone before anything above
};

} // namespace pigeon::link
