#include "link/LinkManager.hxx"

#include "crypto/Random.hxx"
#include "link/CarryProtocol.hxx"
#include "link/HandshakeLog.hxx"
#include "store/Store.hxx"
#include "util/Log.hxx"
#include "xmpp/Caps.hxx"
#include "xmpp/Jid.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"

#include <boost/asio/ip/v6_only.hpp>

namespace pigeon::link {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr int kMaxRetrySeconds = 60;
// A neighbour on the link answers a SYN within milliseconds; one that does
// not is not worth the kernel's two minutes.
constexpr auto kDialTimeout = std::chrono::seconds(5);

// Compares addresses as the kernel would see them: v4-mapped v6 is v4, and
// the scope of a link-local v6 address does not matter for identity.
bool SameHost(const asio::ip::address& a, const asio::ip::address& b)
{
    auto plain = [](const asio::ip::address& x) -> asio::ip::address {
        if (x.is_v6() && x.to_v6().is_v4_mapped())
            return asio::ip::make_address_v4(asio::ip::v4_mapped, x.to_v6());
        return x;
    };
    const auto pa = plain(a), pb = plain(b);
    if (pa.is_v6() && pb.is_v6())
        return pa.to_v6().to_bytes() == pb.to_v6().to_bytes();
    return pa == pb;
}

} // namespace

LinkManager::LinkManager(asio::io_context& io, store::Store& store, LinkConfig config)
    : io_(io), store_(store), config_(std::move(config)), desk_(store_, config_), direct_(store_),
      handoff_(io, store_, config_), neighbours_(store_, *this), presence_(io, neighbours_)
{
    if (config_.identity == nullptr)
        throw std::invalid_argument("the link layer needs our identity");
    Listen(tcp::endpoint(asio::ip::address_v6::any(), config_.port));
    if (port_ == 0)
        port_ = config_.port;
    try {
        Listen(tcp::endpoint(asio::ip::address_v4::any(), port_));
    } catch (const std::system_error& e) {
        // A dual-stack v6 socket may already cover v4; only fail if we have nothing.
        if (acceptors_.empty())
            throw;
    }
    presence_.Publish(config_.user, port_, Txt());
}

LinkManager::~LinkManager()
{
    stopping_ = true;
    for (auto& [instance, peer] : peers_)
        peer.dialer.reset();
    // Their last writes complete after we are gone (`stopping_` ignores what
    // they tell us until then, `alive_` after).
    for (const auto& weak : streams_)
        if (auto stream = weak.lock())
            stream->Close();
}

std::shared_ptr<Stream> LinkManager::NewStream(tcp::socket socket, Stream::Role role)
{
    std::erase_if(streams_, [](const auto& weak) { return weak.expired(); });
    auto stream =
        std::make_shared<Stream>(std::move(socket), role, *this, alive_.Watch(), config_.stream);
    streams_.push_back(stream);
    return stream;
}

void LinkManager::Listen(const tcp::endpoint& endpoint)
{
    auto acceptor = std::make_unique<tcp::acceptor>(io_);
    acceptor->open(endpoint.protocol());
    acceptor->set_option(tcp::acceptor::reuse_address(true));
    if (endpoint.address().is_v6())
        acceptor->set_option(asio::ip::v6_only(true));
    boost::system::error_code ec;
    acceptor->bind(endpoint, ec);
    if (ec)
        throw std::system_error(ec, "cannot listen on port " + std::to_string(endpoint.port()));
    acceptor->listen();
    port_ = acceptor->local_endpoint().port();
    Accept(*acceptor);
    acceptors_.push_back(std::move(acceptor));
}

void LinkManager::Accept(tcp::acceptor& acceptor)
{
    acceptor.async_accept([this, &acceptor](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || stopping_)
            return;
        if (!ec) {
            auto stream = NewStream(std::move(socket), Stream::Role::Responder);
            unidentified_.insert(stream);
            stream->Start(OwnInstance(), {});
        }
        Accept(acceptor);
    });
}

avahi::TxtRecord LinkManager::Txt() const
{
    avahi::TxtRecord txt = config_.profile;
    txt["txtvers"] = "1";
    txt["port.p2pj"] = std::to_string(port_);
    txt["status"] = status_;
    txt["node"] = std::string(kCapsNode);
    txt["hash"] = "sha-1";
    txt["ver"] = xmpp::CapsVer(xmpp::PigeonDiscoInfo());
    if (!config_.account.empty())
        txt["jid"] = config_.account;
    return txt;
}

void LinkManager::SetStatus(const std::string& status)
{
    status_ = status;
    presence_.UpdateTxt(Txt());
}

void LinkManager::SetAccount(const std::string& account)
{
    config_.account = account;
    presence_.UpdateTxt(Txt());
}

std::string LinkManager::OwnInstance() const
{
    return presence_.OwnInstance();
}

std::string LinkManager::OriginJid() const
{
    return config_.account.empty() ? OwnInstance() : config_.account;
}

std::vector<PeerView> LinkManager::Peers() const
{
    std::vector<PeerView> views;
    for (const auto& [instance, neighbour] : neighbours_.All()) {
        const auto it = peers_.find(instance);
        const bool connected =
            it != peers_.end() && it->second.stream && it->second.stream->IsOpen();
        PeerView view{instance, neighbour.jid, neighbour.carrier, neighbour.present, connected, {}};
        for (const auto& e : neighbour.info.endpoints)
            view.addresses.push_back(e.address.to_string());
        views.push_back(std::move(view));
    }
    return views;
}

void LinkManager::Log(const std::string& instance, const std::string& event,
                      const std::string& detail)
{
    LogHandshake(store_, instance, event, detail);
}

// --- Neighbours ---------------------------------------------------------

void LinkManager::OnNeighbourSeen(const std::string& instance, bool fresh) noexcept
{
    try {
        if (fresh) { // back: ask it again, and soon
            handoff_.Forgive(instance);
            peers_[instance].retry_seconds = 2;
        }
        if (HasWork(instance))
            Contact(instance);
    } catch (const std::exception& e) {
        log::Error("link", std::string("contacting a neighbour: ") + e.what());
    }
}

void LinkManager::OnNeighbourGone(const std::string& instance) noexcept
{
    const auto it = peers_.find(instance);
    if (it == peers_.end() || (!it->second.stream && !it->second.connecting))
        Forget(instance);
}

void LinkManager::Forget(const std::string& instance) noexcept
{
    neighbours_.Forget(instance);
    handoff_.Forget(instance);
    peers_.erase(instance);
}

void LinkManager::OnOwnName(const std::string& instance) noexcept
{
    log::Notice("link", "we are " + instance + " on port " + std::to_string(port_));
    OutboxChanged(); // we could not talk to anyone without a name
}

void LinkManager::OutboxChanged() noexcept
{
    try {
        for (const auto& [instance, neighbour] : neighbours_.All())
            if (neighbour.present && HasWork(instance))
                Contact(instance);
    } catch (const std::exception& e) {
        log::Error("link", std::string("offering new messages: ") + e.what());
    }
}

bool LinkManager::HasWork(const std::string& instance)
{
    const auto* neighbour = neighbours_.Find(instance);
    if (neighbour == nullptr)
        return false;
    if (direct_.HasWork(instance, *neighbour))
        return true;
    return handoff_.HasWork(instance, *neighbour);
}

// --- Connecting -----------------------------------------------------------

void LinkManager::Contact(const std::string& instance)
{
    auto& peer = peers_[instance];
    if (peer.stream && peer.stream->IsOpen() && !peer.stream->PeerInstance().empty()) {
        Pump(instance);
        return;
    }
    if (peer.connecting || peer.stream || OwnInstance().empty())
        return;
    peer.connecting = true;
    // Addresses are never cached: resolve now, on every interface it is seen on.
    presence_.Resolve(instance, [this, instance](std::optional<avahi::ServiceInfo> info) {
        if (stopping_)
            return;
        if (!info || info->endpoints.empty()) {
            Log(instance, "unresolved", "no address answered");
            peers_[instance].connecting = false;
            RetryLater(instance);
            return;
        }
        neighbours_.SetAddresses(instance, info->endpoints);
        Dial(instance, info->endpoints);
    });
}

void LinkManager::Dial(const std::string& instance, std::vector<avahi::Endpoint> endpoints)
{
    peers_[instance].dialer = std::make_unique<Dialer>(
        io_, std::move(endpoints), kDialTimeout,
        [this, instance](const std::string& error, tcp::socket socket, const tcp::endpoint& used) {
            auto& peer = peers_[instance];
            peer.connecting = false;
            peer.dialer.reset();
            if (!error.empty()) {
                Log(instance, "connect failed", error);
                RetryLater(instance);
                return;
            }
            boost::system::error_code ec;
            const auto local = socket.local_endpoint(ec);
            Log(instance, "connected",
                used.address().to_string() + " from " + local.address().to_string());
            peer.stream = NewStream(std::move(socket), Stream::Role::Initiator);
            peer.stream->Start(OwnInstance(), instance);
        });
}

void LinkManager::RetryLater(const std::string& instance)
{
    const auto* neighbour = neighbours_.Find(instance);
    if (neighbour == nullptr || !neighbour->present)
        return;
    auto& peer = peers_[instance];
    if (!peer.timer)
        peer.timer = std::make_unique<asio::steady_timer>(io_);
    peer.timer->expires_after(std::chrono::seconds(peer.retry_seconds));
    peer.retry_seconds = std::min(peer.retry_seconds * 2, kMaxRetrySeconds);
    peer.timer->async_wait([this, instance](boost::system::error_code ec) {
        if (ec || stopping_)
            return;
        const auto* neighbour = neighbours_.Find(instance);
        if (neighbour != nullptr && neighbour->present && HasWork(instance))
            Contact(instance);
    });
}

// --- Streams ----------------------------------------------------------------

LinkManager::Peer* LinkManager::PeerOf(Stream& stream)
{
    const auto it = peers_.find(stream.PeerInstance());
    if (it == peers_.end() || it->second.stream.get() != &stream)
        return nullptr;
    return &it->second;
}

void LinkManager::OnStreamHeader(Stream& stream, const xml::StreamHeader& header) noexcept
{
    try {
        if (stream.GetRole() == Stream::Role::Initiator) {
            Log(stream.PeerInstance(), "open", "outbound");
            if (auto* peer = PeerOf(stream)) {
                peer->retry_seconds = 2;
                Pump(stream.PeerInstance());
            }
            return;
        }
        Identify(stream.shared_from_this(), header);
    } catch (const std::exception& e) {
        log::Error("link", std::string("stream header: ") + e.what());
        stream.Close("internal-server-error");
    }
}

// XEP-0174 has no authentication: an inbound stream is who it claims to be
// only if it comes from an address that instance resolves to right now.
void LinkManager::Identify(const std::shared_ptr<Stream>& stream, const xml::StreamHeader& header)
{
    const std::string claimed(header.From());
    const std::string to(header.To());
    if (claimed.empty()) {
        Log(stream->RemoteAddress().to_string(), "refused", "stream without from");
        stream->Close("invalid-from");
        return;
    }
    if (!to.empty() && to != OwnInstance()) {
        Log(claimed, "refused", "addressed to " + to);
        stream->Close("host-unknown");
        return;
    }
    std::weak_ptr<Stream> weak = stream;
    presence_.Resolve(
        claimed, [this, weak, claimed, header](std::optional<avahi::ServiceInfo> info) {
            auto stream = weak.lock();
            if (stopping_ || !stream || !stream->IsOpen())
                return;
            bool matches = false;
            if (info)
                for (const auto& e : info->endpoints)
                    matches = matches || SameHost(e.address, stream->RemoteAddress());
            if (!matches) {
                Log(claimed, "refused",
                    "source " + stream->RemoteAddress().to_string() + " is not an address of it");
                stream->Close("invalid-from");
                return;
            }
            unidentified_.erase(stream);
            stream->SetPeerInstance(claimed);
            stream->Accept(OwnInstance(), header);
            const bool present = neighbours_.Record(claimed).present;
            auto& peer = peers_[claimed];
            if (!peer.stream || !peer.stream->IsOpen())
                peer.stream = stream; // else both dialled at once: keep ours, still serve theirs
            Log(claimed, "open", "inbound from " + stream->RemoteAddress().to_string());
            if (peer.stream == stream && present)
                Pump(claimed);
        });
}

void LinkManager::OnStreamClosed(Stream& stream, const std::string& reason) noexcept
{
    if (stopping_)
        return;
    const std::string instance = stream.PeerInstance();
    unidentified_.erase(stream.shared_from_this());
    Log(instance.empty() ? stream.RemoteAddress().to_string() : instance, "closed", reason);
    auto* peer = PeerOf(stream);
    if (peer == nullptr)
        return;
    peer->stream.reset();
    handoff_.EndContact(instance);
    direct_.EndContact(instance);
    if (peer->timer)
        peer->timer->cancel();
    PumpOthers(instance);
    const auto* neighbour = neighbours_.Find(instance);
    if ((neighbour == nullptr || !neighbour->present) && !peer->connecting)
        Forget(instance);
    else if (reason.rfind("closed by us", 0) != 0 && HasWork(instance))
        RetryLater(instance);
}

void LinkManager::OnStanza(Stream& stream, const xml::Element& stanza) noexcept
{
    try {
        if (stream.PeerInstance().empty() || unidentified_.count(stream.shared_from_this())) {
            stream.Close("not-authorized"); // nothing before we know who it is
            return;
        }
        if (stanza.name == "iq") {
            const auto type = stanza.Attr("type");
            if (FindCarry(stanza) != nullptr) {
                desk_.Take(stream, stanza);
            } else if (xmpp::IsDiscoInfoQuery(stanza)) {
                stream.Send(xmpp::DiscoInfoResult(stanza, xmpp::PigeonDiscoInfo()));
            } else if (type == "result" || type == "error") {
                if (PeerOf(stream) != nullptr &&
                    handoff_.Awaits(stream.PeerInstance(), stanza.Attr("id")))
                    HandleCarryReply(stream, stanza);
            } else {
                stream.Send(xmpp::MakeIqError(stanza, "cancel", "service-unavailable"));
            }
        } else if (stanza.name == "message") {
            if (const auto id = xmpp::ReceiptId(stanza))
                direct_.TakeReceipt(stream.PeerInstance(), PeerOf(stream) != nullptr, *id);
            else
                HandleChat(stream, stanza);
        }
    } catch (const std::exception& e) {
        // Most likely the store failed: say so to the peer, keep the daemon.
        log::Error("link", std::string("handling a stanza from ") + stream.PeerInstance() + ": " +
                               e.what());
        if (stanza.name == "iq" && stanza.Attr("type") == "set")
            stream.Send(xmpp::MakeIqError(stanza, "wait", "internal-server-error"));
    }
}

// --- Moving messages --------------------------------------------------------

void LinkManager::Pump(const std::string& instance)
{
    auto& peer = peers_[instance];
    if (!peer.stream || !peer.stream->IsOpen())
        return;
    const auto& neighbour = neighbours_.Record(instance);
    const std::string origin = OriginJid();
    direct_.Deliver(instance, neighbour, *peer.stream, origin);
    handoff_.Offer(instance, neighbour, *peer.stream, origin);
}

void LinkManager::PumpOthers(const std::string& instance)
{
    std::vector<std::string> others;
    for (const auto& [name, peer] : peers_)
        if (const auto* neighbour = neighbours_.Find(name);
            name != instance && neighbour != nullptr && neighbour->carrier &&
            handoff_.HasRoom(name) && peer.stream && peer.stream->IsOpen())
            others.push_back(name);
    for (const auto& name : others) // Pump may close streams: look each up again
        if (peers_.contains(name))
            Pump(name);
}

void LinkManager::HandleCarryReply(Stream& stream, const xml::Element& iq)
{
    const std::string instance = stream.PeerInstance();
    if (handoff_.TakeReply(instance, stream, iq, OriginJid()))
        Pump(instance);
    PumpOthers(instance);
}

// A chat message from a neighbour, pigeon or plain XEP-0174 client.
void LinkManager::HandleChat(Stream& stream, const xml::Element& stanza)
{
    auto message = xmpp::ParseChatMessage(stanza);
    if (!message)
        return; // chat states, typing notifications and the like
    const std::string instance = stream.PeerInstance();
    // The stream's identity is the sender, whatever the stanza says (XEP-0174);
    // a pigeon peer's advertised account stands for it.
    const auto* neighbour = neighbours_.Find(instance);
    const std::string from =
        (neighbour != nullptr && !neighbour->jid.empty()) ? neighbour->jid : instance;
    const UnixMs now = NowMs();
    const bool had_id = !message->id.empty();
    store::InboxItem item{had_id ? message->id : crypto::NewOriginId(),
                          from,
                          message->body,
                          message->sent != 0 ? message->sent : now,
                          now,
                          "link-local",
                          store::Authenticity::LinkLocal};
    const bool fresh = store_.AddReceived(item);
    Log(instance, fresh ? "received" : "received again", item.id);
    if (message->request_receipt && had_id)
        stream.Send(xmpp::MakeReceipt(instance, message->id));
}

} // namespace pigeon::link
