#include "link/LinkManager.hxx"

#include "link/CarryProtocol.hxx"
#include "link/CourierProtocol.hxx"
#include "link/HandshakeLog.hxx"
#include "link/SummaryProtocol.hxx"
#include "link/TombstoneProtocol.hxx"
#include "store/Store.hxx"
#include "util/EventBus.hxx"
#include "util/Log.hxx"
#include "xmpp/Caps.hxx"
#include "xmpp/Message.hxx"
#include "xmpp/Namespaces.hxx"

namespace pigeon::link {
namespace {

// Before anything starts: the handoff signs with it.
LinkConfig Checked(LinkConfig config)
{
    if (config.identity == nullptr)
        throw std::invalid_argument("the link layer needs our identity");
    return config;
}

} // namespace

LinkManager::LinkManager(boost::asio::io_context& io, store::Store& store, LinkConfig config)
    : store_(store), config_(Checked(std::move(config))),
      neighbours_(store_, *this, config_.want_key),
      connections_(io, store_, presence_, neighbours_, config_.stream, config_.admission,
                   config_.port, *this),
      handoff_(io, store_, config_,
               [this](const std::string& instance) { ContactAgain(instance); }),
      summaries_(io, store_, config_.events,
                 [this](const std::string& instance) { SummarySettled(instance); }),
      relay_(io, store_, config_, summaries_), direct_(store_, config_.events),
      desk_(store_, config_),
      courier_(io, store_, config_,
               [this](const std::string& instance) { ContactAgain(instance); }),
      receiver_(store_, *config_.identity, config_.events),
      courier_desk_(store_, receiver_, config_),
      tombstones_(store_, receiver_, config_.events, summaries_), presence_(io, neighbours_)
{
    presence_.Publish(config_.user, Port(), Txt());
    handoff_.Signer().CatchUp(OriginJid()); // an account's: a name comes later (OnOwnName)
}

LinkManager::~LinkManager()
{
    // Our streams' closing tags go out before our mDNS goodbye.
    connections_.Stop();
}

avahi::TxtRecord LinkManager::Txt() const
{
    avahi::TxtRecord txt = config_.profile;
    txt["txtvers"] = "1";
    txt["port.p2pj"] = std::to_string(Port());
    txt["status"] = status_;
    txt["node"] = std::string(xmpp::ns::kPigeon);
    txt["hash"] = "sha-1";
    txt["ver"] = xmpp::CapsVer(xmpp::PigeonDiscoInfo());
    if (!config_.account.empty())
        txt["jid"] = config_.account;
    if (config_.stream.tls_key != nullptr) {
        txt[kPinKey] = config_.stream.tls_key->Pin();
        // Ties the pin to our account for whoever holds the key our server publishes.
        if (!config_.account.empty())
            txt[kPinSigKey] = SignPin(*config_.identity, config_.account, txt[kPinKey]);
    }
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
    handoff_.Signer().CatchUp(OriginJid());
}

void LinkManager::Reconfigure(const LinkConfig& fresh)
{
    // Handoff and CarrierDesk read these at each use.
    config_.carriers = fresh.carriers;
    config_.spray = fresh.spray;
    config_.carry = fresh.carry;
    config_.ttl = fresh.ttl;
    config_.carry_limits = fresh.carry_limits;
    if (config_.profile != fresh.profile) {
        config_.profile = fresh.profile;
        presence_.UpdateTxt(Txt());
    }
    handoff_.Rewind(); // a larger K may find carriers for more
    OutboxChanged();
}

std::string LinkManager::OwnInstance() const
{
    return presence_.OwnInstance();
}

std::string LinkManager::OriginJid() const
{
    return config_.account.empty() ? OwnInstance() : config_.account;
}

store::SealFor LinkManager::SealOnQueue()
{
    auto origin = OriginJid();
    if (origin.empty())
        return {};
    return [this, origin = std::move(origin)](const store::OutboxItem& item) {
        OutboxSigner::Keys keys;
        return handoff_.Signer().Make(item, origin, keys);
    };
}

std::vector<PeerView> LinkManager::Peers() const
{
    std::vector<PeerView> views;
    for (const auto& [instance, neighbour] : neighbours_.All()) {
        const Stream* open = connections_.Open(instance);
        PeerView view{instance,
                      neighbour.jid,
                      neighbour.carrier,
                      neighbour.present,
                      open != nullptr,
                      open != nullptr && open->Encrypted(),
                      !neighbour.pin.empty(),
                      neighbour.pin_verdict.vouch,
                      {}};
        for (const auto& e : neighbour.info.endpoints)
            view.addresses.push_back(e.address.to_string());
        views.push_back(std::move(view));
    }
    return views;
}

void LinkManager::KeyArrived(const std::string& account) noexcept
{
    try {
        for (const auto& instance : neighbours_.OnKeyArrived(account))
            connections_.Refuse(instance, Refusal(neighbours_.Find(instance)->pin_verdict));
    } catch (const std::exception& e) {
        log::Error("link", "judging the pins of " + account + " again: " + e.what());
    }
}

bool LinkManager::ForgetPin(const std::string& instance)
{
    const bool forgotten = neighbours_.ForgetPin(instance);
    const auto* neighbour = neighbours_.Find(instance);
    if (neighbour != nullptr && neighbour->present && HasWork(instance))
        connections_.Contact(instance); // refused until now
    return forgotten;
}

void LinkManager::Queued(const store::OutboxItem& item) noexcept
{
    handoff_.Queued(item);
    OutboxChanged();
}

void LinkManager::OutboxChanged(const std::string& giver) noexcept
{
    try {
        for (const auto& [instance, neighbour] : neighbours_.All())
            if (neighbour.present && instance != giver && HasWork(instance))
                connections_.Contact(instance);
    } catch (const std::exception& e) {
        log::Error("link", std::string("offering new messages: ") + e.what());
    }
}

// --- Neighbours come and go -------------------------------------------------

void LinkManager::OnNeighbourSeen(const std::string& instance, bool fresh) noexcept
{
    try {
        if (fresh) { // back: ask it again, and soon
            PublishNeighbour("neighbour-up", instance);
            handoff_.Forgive(instance);
            courier_.Forgive(instance);
            connections_.ResetBackoff(instance);
        }
        // A new TXT record may bring a pin or signature we refuse.
        if (neighbours_.Refused(instance))
            connections_.Refuse(instance, Refusal(neighbours_.Find(instance)->pin_verdict));
        // A stream it opened before we resolved it waited to learn that it
        // carries: the summaries (which its side waits for) start now.
        if (connections_.Open(instance) != nullptr)
            Pump(instance);
        else if (HasWork(instance))
            connections_.Contact(instance);
    } catch (const std::exception& e) {
        log::Error("link", "contacting " + instance + ": " + e.what());
    }
}

void LinkManager::ContactAgain(const std::string& instance) noexcept
{
    try {
        const auto* neighbour = neighbours_.Find(instance);
        if (neighbour != nullptr && neighbour->present && HasWork(instance))
            connections_.Contact(instance); // the stream we have, else a new one
    } catch (const std::exception& e) {
        log::Error("link", "offering again to " + instance + ": " + e.what());
    }
}

void LinkManager::SummarySettled(const std::string& instance) noexcept
{
    try {
        Pump(instance);
    } catch (const std::exception& e) {
        log::Error("link", "offering to " + instance + " after the summaries: " + e.what());
    }
}

void LinkManager::OnNeighbourGone(const std::string& instance) noexcept
{
    PublishNeighbour("neighbour-down", instance);
    if (!connections_.InUse(instance))
        Forget(instance);
}

void LinkManager::PublishNeighbour(const char* kind, const std::string& instance) noexcept
{
    Publish(config_.events, [&] {
        const auto* neighbour = neighbours_.Find(instance);
        const bool carrier = neighbour != nullptr && neighbour->carrier;
        return Event{kind,
                     0,
                     {{"instance", instance},
                      {"jid", neighbour != nullptr ? neighbour->jid : std::string()},
                      {"kind", std::string(carrier ? "carrier" : "chat-only")}}};
    });
}

void LinkManager::OnOwnName(const std::string& instance) noexcept
{
    log::Notice("link", "we are " + instance + " on port " + std::to_string(Port()));
    handoff_.Signer().CatchUp(OriginJid()); // our origin, without an account
    OutboxChanged(); // Contact() waited for our name, first or after avahi-daemon's restart
}

void LinkManager::Forget(const std::string& instance) noexcept
{
    neighbours_.Forget(instance);
    connections_.Forget(instance);
    handoff_.Forget(instance);
    relay_.Forget(instance);
    summaries_.EndContact(instance);
    courier_.Forget(instance);
    tombstones_.Forget(instance);
}

bool LinkManager::HasWork(const std::string& instance)
{
    const auto* neighbour = neighbours_.Find(instance);
    return neighbour != nullptr &&
           (direct_.HasWork(instance, *neighbour) || handoff_.HasWork(instance, *neighbour) ||
            courier_.HasWork(instance, *neighbour) || tombstones_.HasWork(instance, *neighbour) ||
            relay_.HasWork(instance, *neighbour));
}

// --- Streams open and close -------------------------------------------------

void LinkManager::OnLinkReady(const std::string& instance)
{
    Pump(instance);
}

void LinkManager::OnLinkLost(const std::string& instance, Stream::Ending ending) noexcept
{
    try {
        // A peer that hung up on our requests is dialled again (with backoff);
        // one that closed an idle stream, or whom we left, has said all it
        // would: new work contacts it anyway.
        const bool redial = ending == Stream::Ending::Broken ||
                            (ending == Stream::Ending::ByPeer &&
                             (handoff_.Awaiting(instance) || direct_.Awaiting(instance) ||
                              courier_.Awaiting(instance)));
        handoff_.EndContact(instance);
        relay_.EndContact(instance);
        summaries_.EndContact(instance);
        direct_.EndContact(instance);
        courier_.EndContact(instance);
        PumpOthers(instance);
        const auto* neighbour = neighbours_.Find(instance);
        if (neighbour == nullptr || !neighbour->present) {
            if (!connections_.InUse(instance))
                Forget(instance);
        } else if (redial && HasWork(instance)) {
            connections_.RetryLater(instance);
        }
    } catch (const std::exception& e) {
        log::Error("link", "after the stream with " + instance + ": " + e.what());
    }
}

void LinkManager::Pump(const std::string& instance)
{
    auto* stream = connections_.Open(instance);
    if (stream == nullptr)
        return;
    const auto& neighbour = neighbours_.Record(instance);
    const std::string origin = OriginJid();
    summaries_.Start(instance, neighbour, *stream);  // Relay and Tombstones wait for it
    tombstones_.Offer(instance, neighbour, *stream); // first: it may save the rest
    direct_.Deliver(instance, neighbour, *stream, origin);
    courier_.Pump(instance, neighbour, *stream, origin);
    // Each copy's path starts with our name, which we have not while our
    // announcement is being re-established (avahi-daemon restarted): OnOwnName
    // pumps again once we have it.
    const std::string own = OwnInstance();
    if (own.empty())
        return;
    handoff_.Offer(instance, neighbour, *stream, origin, own);
    relay_.Offer(instance, neighbour, *stream, own); // last: the recipient may be here
}

void LinkManager::PumpOthers(const std::string& instance)
{
    std::vector<std::string> others;
    for (const auto& [name, neighbour] : neighbours_.All())
        if (name != instance && neighbour.carrier && handoff_.HasRoom(name) &&
            connections_.Open(name) != nullptr)
            others.push_back(name);
    for (const auto& name : others) // Pump may close streams: look each up again
        if (neighbours_.Find(name) != nullptr)
            Pump(name);
}

// --- Stanzas ----------------------------------------------------------------

void LinkManager::OnStanza(Stream& stream, const xml::Element& stanza) noexcept
{
    try {
        if (stanza.name == "iq") {
            RouteIq(stream, stanza);
        } else if (stanza.name == "message") {
            if (const auto id = xmpp::ReceiptId(stanza))
                direct_.TakeReceipt(stream.PeerInstance(),
                                    connections_.Open(stream.PeerInstance()) == &stream, *id);
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

void LinkManager::RouteIq(Stream& stream, const xml::Element& iq)
{
    const auto type = iq.Attr("type");
    const std::string instance = stream.PeerInstance();
    if (FindCarry(iq) != nullptr) {
        // The recipient of what we now carry may be here. Not the giver: it
        // holds it, and its path keeps it from coming back (RefuseRoute).
        if (desk_.Take(stream, iq, OurNames()) > 0)
            OutboxChanged(instance);
    } else if (FindDeliver(iq) != nullptr) {
        courier_desk_.TakeDelivery(stream, iq, PeerName(instance), OurNames());
    } else if (FindReports(iq) != nullptr) {
        courier_desk_.TakeReports(stream, iq, PeerName(instance), OriginJid());
        OutboxChanged(); // a message of ours may need no more carriers
    } else if (FindSummary(iq) != nullptr) {
        summaries_.Take(stream, iq);
    } else if (FindTombstones(iq) != nullptr) {
        if (tombstones_.Take(stream, iq, OriginJid()))
            OutboxChanged(); // pass it on to the others
    } else if (xmpp::IsDiscoInfoQuery(iq)) {
        stream.Send(xmpp::DiscoInfoResult(iq, xmpp::PigeonDiscoInfo()));
    } else if (type == "result" || type == "error") {
        if (connections_.Open(instance) == &stream)
            RouteReply(stream, iq);
    } else {
        stream.Send(xmpp::MakeIqError(iq, "cancel", "service-unavailable"));
    }
}

// An answer on the stream we use with its peer: to a handoff, a delivery or reports.
void LinkManager::RouteReply(Stream& stream, const xml::Element& iq)
{
    const std::string instance = stream.PeerInstance();
    if (handoff_.Awaits(instance, iq.Attr("id"))) {
        HandleCarryReply(stream, iq);
    } else if (relay_.Awaits(instance, iq.Attr("id"))) {
        relay_.TakeReply(instance, iq);
        Pump(instance);
        PumpOthers(instance); // what waited for this answer may go to the others
    } else if (summaries_.Awaits(instance, iq.Attr("id"))) {
        summaries_.TakeReply(instance, iq);
    } else if (courier_.Awaits(instance, iq.Attr("id"))) {
        courier_.TakeReply(instance, iq);
        Pump(instance);
        OutboxChanged(); // what the recipient took is a tombstone for the others
    }
}

std::string LinkManager::PeerName(const std::string& instance) const
{
    const auto* neighbour = neighbours_.Find(instance);
    return neighbour != nullptr && !neighbour->jid.empty() ? neighbour->jid : instance;
}

std::vector<std::string> LinkManager::OurNames() const
{
    std::vector<std::string> names;
    // Ours already while avahi-daemon probes it: a pigeon that met us before
    // dials us then, and a copy we handed on may come back.
    if (const auto own = presence_.PublishedName(); !own.empty())
        names.push_back(own);
    if (!config_.account.empty())
        names.push_back(config_.account);
    return names;
}

void LinkManager::HandleCarryReply(Stream& stream, const xml::Element& iq)
{
    const std::string instance = stream.PeerInstance();
    if (handoff_.TakeReply(instance, stream, iq, OriginJid()))
        Pump(instance);
    PumpOthers(instance);
}

// A chat message from a neighbour, pigeon or plain XEP-0174 client.
// Receiving moves to inbox::Receiver (issue 8)
void LinkManager::HandleChat(Stream& stream, const xml::Element& stanza)
{
    const auto message = xmpp::ParseChatMessage(stanza);
    if (!message)
        return; // chat states, typing notifications and the like
    const std::string instance = stream.PeerInstance();
    // The stream's identity is the sender, whatever the stanza says (XEP-0174);
    // a pigeon peer's advertised account stands for it.
    const std::string from = PeerName(instance);
    const auto received = receiver_.TakeChat(*message, from, store::Authenticity::LinkLocal);
    LogHandshake(store_, instance, received.IsNew() ? "received" : "received again",
                 received.item.id);
    if (received.receipt_due)
        stream.Send(xmpp::MakeReceipt(instance, message->id));
}

} // namespace pigeon::link
