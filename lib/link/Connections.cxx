#include "link/Connections.hxx"

#include "avahi/Presence.hxx"
#include "link/HandshakeLog.hxx"
#include "link/Neighbours.hxx"
#include "link/SameHost.hxx"
#include "util/Log.hxx"

#include <boost/asio/ip/v6_only.hpp>

#include <sys/socket.h>

#include <algorithm>

namespace pigeon::link {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr int kMaxRetrySeconds = 60;
// A neighbour on the link answers a SYN within milliseconds; one that does
// not is not worth the kernel's two minutes.
constexpr auto kDialTimeout = std::chrono::seconds(5);
// Addresses change rarely; a flood of connections must not read them each time.
constexpr auto kInterfacesFresh = std::chrono::seconds(1);

AdmissionRules Bounded(AdmissionRules rules)
{
    const auto fds = AcceptBackoff::DescriptorLimit();
    const auto cap = StreamCap(rules.max_streams, fds);
    if (cap < rules.max_streams)
        log::Notice("link", "at most " + std::to_string(cap) + " link-local streams (half of " +
                                std::to_string(fds) + " descriptors)");
    rules.max_streams = cap;
    return rules;
}

} // namespace

Connections::Connections(asio::io_context& io, store::Store& store, avahi::Presence& presence,
                         Neighbours& neighbours, const StreamSettings& settings,
                         const AdmissionRules& admission, std::uint16_t port, Owner& owner)
    : io_(io), store_(store), presence_(presence), neighbours_(neighbours), settings_(settings),
      admission_(Bounded(admission)), owner_(owner)
{
    if (!admission_.interfaces.empty() && ListenOnInterfaces(port))
        return;
    Listen(tcp::endpoint(asio::ip::address_v6::any(), port));
    try {
        Listen(tcp::endpoint(asio::ip::address_v4::any(), port_));
    } catch (const std::system_error& e) {
        // A dual-stack v6 socket may already cover v4; only fail if we have nothing.
        if (listeners_.empty())
            throw;
    }
}

bool Connections::ListenOnInterfaces(std::uint16_t port)
{
    try {
        for (const auto& device : admission_.interfaces) {
            Listen(tcp::endpoint(asio::ip::address_v6::any(), port), device);
            port = port_; // port 0: the same free port on every interface
            Listen(tcp::endpoint(asio::ip::address_v4::any(), port), device);
        }
        return true;
    } catch (const std::system_error& e) {
        // An interface not there yet, or a kernel that wants privilege for
        // SO_BINDTODEVICE: listen everywhere and refuse at accept instead.
        log::Notice("link", std::string(e.what()) + "; listening on every interface instead");
        listeners_.clear();
        return false;
    }
}
Connections::~Connections()
{
    Stop();
}

void Connections::Stop() noexcept
{
    stopping_ = true;
    for (auto& listener : listeners_)
        listener->backoff.Cancel();
    for (auto& [instance, link] : links_)
        link.dialer.reset();
    for (const auto& [raw, stream] : streams_)
        stream->Close();
}

void Connections::Listen(const tcp::endpoint& endpoint, const std::string& device)
{
    auto listener = std::make_unique<Listener>(io_);
    auto& acceptor = listener->acceptor;
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    if (endpoint.address().is_v6())
        acceptor.set_option(asio::ip::v6_only(true));
    if (!device.empty() && setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_BINDTODEVICE,
                                      device.c_str(), socklen_t(device.size())) != 0)
        throw std::system_error(errno, std::generic_category(), "cannot bind to " + device);
    boost::system::error_code ec;
    acceptor.bind(endpoint, ec);
    if (ec)
        throw std::system_error(ec, "cannot listen on port " + std::to_string(endpoint.port()) +
                                        (device.empty() ? "" : " of " + device));
    acceptor.listen();
    port_ = acceptor.local_endpoint().port();
    Accept(*listener);
    listeners_.push_back(std::move(listener));
}

void Connections::Accept(Listener& listener)
{
    listener.acceptor.async_accept([this, alive = alive_.Watch(),
                                    &listener](boost::system::error_code ec, tcp::socket socket) {
        if (alive.Gone() || ec == asio::error::operation_aborted || stopping_)
            return;
        if (ec) {
            // Never at once: the connection is still queued and would fail again.
            const auto wait = listener.backoff.Failed(ec, listener.acceptor.native_handle(),
                                                      [this, &listener] { Accept(listener); });
            log::Warning("link", "accept failed: " + ec.message() + "; accepting again in " +
                                     std::to_string(wait.count()) + " ms");
            return;
        }
        listener.backoff.Succeeded();
        try {
            Admit(std::move(socket));
        } catch (const std::exception& e) {
            log::Error("link", std::string("accepting a stream: ") + e.what());
        }
        Accept(listener);
    });
}

void Connections::Admit(tcp::socket socket)
{
    boost::system::error_code ec;
    const auto local = socket.local_endpoint(ec).address();
    const auto remote = socket.remote_endpoint(ec).address();
    if (ec)
        return; // gone already
    const auto now = std::chrono::steady_clock::now();
    if (now - interfaces_read_ > kInterfacesFresh || InterfaceOf(interfaces_, local).empty()) {
        interfaces_ = net::InterfaceAddresses();
        interfaces_read_ = now;
    }
    const auto from = std::count_if(streams_.begin(), streams_.end(), [&](const auto& entry) {
        return entry.second->GetRole() == Stream::Role::Responder &&
               SameHost(entry.second->RemoteAddress(), remote);
    });
    const std::string refusal = AdmissionRefusal(admission_, interfaces_, local, remote,
                                                 streams_.size(), std::size_t(from));
    if (!refusal.empty()) {
        log::Info("link", "refused a connection from " + remote.to_string() + ": " + refusal);
        socket.set_option(tcp::socket::linger(true, 0), ec); // a reset, and nothing kept
        socket.close(ec);
        return;
    }
    auto& stream = NewStream(std::move(socket), Stream::Role::Responder);
    unidentified_.insert(&stream);
    stream.Start(presence_.OwnInstance(), {});
}

Stream& Connections::NewStream(tcp::socket socket, Stream::Role role)
{
    auto stream =
        std::make_shared<Stream>(std::move(socket), role, *this, alive_.Watch(), settings_);
    auto& ref = *stream;
    streams_.emplace(&ref, std::move(stream));
    return ref;
}

Stream* Connections::Open(const std::string& instance) const noexcept
{
    const auto it = links_.find(instance);
    if (it == links_.end() || it->second.stream == nullptr || !it->second.stream->Ready())
        return nullptr;
    return it->second.stream;
}

bool Connections::InUse(const std::string& instance) const noexcept
{
    const auto it = links_.find(instance);
    return it != links_.end() && (it->second.stream != nullptr || it->second.connecting);
}

Connections::Link* Connections::LinkOf(const Stream& stream) noexcept
{
    const auto it = links_.find(stream.PeerInstance());
    if (it == links_.end() || it->second.stream != &stream)
        return nullptr;
    return &it->second;
}

void Connections::ResetBackoff(const std::string& instance) noexcept
{
    if (const auto it = links_.find(instance); it != links_.end())
        it->second.retry_seconds = 2;
}

void Connections::Forget(const std::string& instance) noexcept
{
    links_.erase(instance);
}

void Connections::Refuse(const std::string& instance, const std::string& why)
{
    std::vector<std::shared_ptr<Stream>> refused; // closing may take one out of streams_ now
    for (const auto& [stream, held] : streams_)
        if (held->PeerInstance() == instance && held->IsOpen())
            refused.push_back(held);
    for (const auto& stream : refused)
        if (stream->IsOpen())
            stream->Refuse(why);
}

// --- Dialling ---------------------------------------------------------------

void Connections::Contact(const std::string& instance)
{
    auto& link = links_[instance];
    if (link.stream != nullptr && link.stream->IsOpen()) {
        // One still opening says it is ready once the headers have crossed.
        if (link.stream->Ready())
            owner_.OnLinkReady(instance);
        return;
    }
    // Dialling where it was, which its records, come since, no longer name
    // (it moved while away): the new addresses now, not after a timeout.
    if (const auto* endpoints = neighbours_.FreshAddresses(instance);
        link.dialer != nullptr && endpoints != nullptr && *endpoints != link.dialling) {
        link.dialer.reset();
        link.connecting = false;
    }
    // A neighbour whose pin we refuse (the handshake log said why) gets no stream at all.
    if (link.connecting || link.stream || presence_.OwnInstance().empty() ||
        neighbours_.Refused(instance))
        return;
    link.connecting = true;
    // Resolved moments ago (it just came up): dial at once.
    if (const auto* endpoints = neighbours_.FreshAddresses(instance)) {
        Dial(instance, *endpoints);
        return;
    }
    presence_.Resolve(
        instance, [this, alive = alive_.Watch(), instance](std::optional<avahi::ServiceInfo> info) {
            if (alive.Gone() || stopping_)
                return;
            try {
                OnResolved(instance, info);
            } catch (const std::exception& e) {
                log::Error("link", "dialling " + instance + ": " + e.what());
            }
        });
}

void Connections::OnResolved(const std::string& instance,
                             const std::optional<avahi::ServiceInfo>& info)
{
    auto& link = links_[instance];
    if (!info || info->endpoints.empty()) {
        LogHandshake(store_, instance, "unresolved", "no address answered");
        link.connecting = false;
        RetryLater(instance);
        return;
    }
    neighbours_.SetAddresses(instance, info->endpoints);
    Dial(instance, info->endpoints);
}

void Connections::Dial(const std::string& instance, const std::vector<avahi::Endpoint>& endpoints)
{
    // The Dialer is ours and calls nothing once destroyed: `this` is safe.
    auto& link = links_[instance];
    link.dialling = endpoints;
    link.dialer = std::make_unique<Dialer>(
        io_, endpoints, kDialTimeout,
        [this, instance](const std::string& error, tcp::socket socket, const tcp::endpoint& used) {
            OnDialled(instance, error, std::move(socket), used);
        });
}

void Connections::OnDialled(const std::string& instance, const std::string& error,
                            tcp::socket socket, const tcp::endpoint& used)
{
    auto& link = links_[instance];
    link.connecting = false;
    link.dialer.reset(); // the Dialer calling us: it touches nothing after this call
    if (!error.empty()) {
        neighbours_.ExpireAddresses(instance);
        LogHandshake(store_, instance, "connect failed", error);
        RetryLater(instance);
        return;
    }
    boost::system::error_code ec;
    const auto local = socket.local_endpoint(ec);
    LogHandshake(store_, instance, "connected",
                 used.address().to_string() + " from " + local.address().to_string());
    // Judged again: a key or a TXT record may have come while we dialled.
    if (const auto verdict = neighbours_.Vouch(instance, {}); verdict.vouch == PinVouch::Mismatch)
        return LogHandshake(store_, instance, "refused", Refusal(verdict));
    auto& stream = NewStream(std::move(socket), Stream::Role::Initiator);
    link.stream = &stream;
    if (const auto* neighbour = neighbours_.Find(instance);
        neighbour != nullptr && !neighbour->pin.empty())
        stream.RequireTls(neighbour->pin);
    stream.Start(presence_.OwnInstance(), instance);
}

void Connections::RetryLater(const std::string& instance)
{
    const auto* neighbour = neighbours_.Find(instance);
    if (neighbour == nullptr || !neighbour->present)
        return;
    auto& link = links_[instance];
    if (!link.retry)
        link.retry = std::make_unique<asio::steady_timer>(io_);
    link.retry->expires_after(std::chrono::seconds(link.retry_seconds));
    link.retry_seconds = std::min(link.retry_seconds * 2, kMaxRetrySeconds);
    link.retry->async_wait([this, alive = alive_.Watch(), instance](boost::system::error_code ec) {
        if (!ec && !alive.Gone() && !stopping_)
            ContactIfWanted(instance, "retrying");
    });
}

// --- Streams ----------------------------------------------------------------

void Connections::OnStreamHeader(Stream& stream, const xml::StreamHeader& header) noexcept
{
    try {
        if (stream.GetRole() == Stream::Role::Initiator) {
            LogHandshake(store_, stream.PeerInstance(), "open",
                         stream.Encrypted() ? "outbound, encrypted" : "outbound, plain");
            if (LinkOf(stream) != nullptr)
                owner_.OnLinkReady(stream.PeerInstance());
            return;
        }
        if (stream.Encrypted()) // identified before STARTTLS; the header after it
            Opened(stream, header);
        else
            Identify(stream, header);
    } catch (const std::exception& e) {
        log::Error("link", std::string("stream header: ") + e.what());
        stream.Close("internal-server-error");
    }
}

// XEP-0174 has no authentication: an inbound stream is who it claims to be
// only if it comes from an address that instance resolves to right now.
void Connections::Identify(Stream& stream, const xml::StreamHeader& header)
{
    const std::string claimed(header.From());
    const std::string to(header.To());
    if (claimed.empty()) {
        LogHandshake(store_, stream.RemoteAddress().to_string(), "refused", "stream without from");
        stream.Close("invalid-from");
        return;
    }
    // Our name as soon as avahi-daemon has it: a neighbour can resolve us
    // (and dial) before its "established" reaches us over D-Bus.
    if (!to.empty() && to != presence_.PublishedName()) {
        LogHandshake(store_, claimed, "refused", "addressed to " + to);
        stream.Close("host-unknown");
        return;
    }
    const auto remote = stream.RemoteAddress();
    // Resolved at that address moments ago (it came up, or we dialled it):
    // asking avahi-daemon again would tell the same, a round trip later.
    if (const auto* endpoints = neighbours_.FreshAddresses(claimed);
        endpoints != nullptr && Among(*endpoints, remote)) {
        avahi::ServiceInfo info;
        info.endpoints = *endpoints;
        OnIdentifyResolved(stream, claimed, header, info);
        return;
    }
    presence_.Resolve(
        claimed,
        [this, alive = alive_.Watch(), &stream, stream_alive = stream.Watch(), claimed,
         header](std::optional<avahi::ServiceInfo> info) {
            if (alive.Gone() || stopping_ || stream_alive.Gone() || !stream.IsOpen())
                return;
            try {
                OnIdentifyResolved(stream, claimed, header, info);
            } catch (const std::exception& e) {
                log::Error("link", "identifying " + claimed + ": " + e.what());
                stream.Close("internal-server-error");
            }
        },
        // Done once the source is among its addresses, else as every resolve is.
        [remote](const avahi::ServiceInfo& info) { return Among(info.endpoints, remote); });
}

void Connections::OnIdentifyResolved(Stream& stream, const std::string& claimed,
                                     const xml::StreamHeader& header,
                                     const std::optional<avahi::ServiceInfo>& info)
{
    if (!info || !Among(info->endpoints, stream.RemoteAddress())) {
        LogHandshake(store_, claimed, "refused",
                     "source " + stream.RemoteAddress().to_string() + " is not an address of it");
        stream.Close("invalid-from");
        return;
    }
    unidentified_.erase(&stream);
    stream.SetPeerInstance(claimed);
    if (const auto verdict = neighbours_.Vouch(claimed, info->txt);
        verdict.vouch == PinVouch::Mismatch) {
        stream.Refuse(Refusal(verdict));
        return;
    }
    // A pigeon we know, or one resolved just now: its pin calls for TLS first.
    const auto* known = neighbours_.Find(claimed);
    std::string pin = PinIn(info->txt);
    if (pin.empty() && known != nullptr)
        pin = known->pin;
    if (!pin.empty()) {
        stream.RequireTls(std::move(pin));
        stream.Accept(presence_.PublishedName(), header); // offers STARTTLS
        return;
    }
    Opened(stream, header);
}

void Connections::Opened(Stream& stream, const xml::StreamHeader& header)
{
    const std::string claimed = stream.PeerInstance();
    stream.Accept(presence_.PublishedName(), header);
    const bool present = neighbours_.Record(claimed).present;
    auto& link = links_[claimed];
    if (link.stream == nullptr || !link.stream->IsOpen())
        link.stream = &stream; // else both dialled at once: keep ours, still serve theirs
    LogHandshake(store_, claimed, "open",
                 "inbound from " + stream.RemoteAddress().to_string() +
                     (stream.Encrypted() ? ", encrypted" : ", plain"));
    if (link.stream == &stream && present)
        owner_.OnLinkReady(claimed);
}

void Connections::OnStanza(Stream& stream, const xml::Element& stanza) noexcept
{
    if (stream.PeerInstance().empty() || unidentified_.contains(&stream)) {
        stream.Close("not-authorized"); // nothing before we know who it is
        return;
    }
    owner_.OnStanza(stream, stanza);
}

void Connections::OnStreamClosed(Stream& stream, const std::string& reason) noexcept
{
    if (stopping_)
        return;
    const std::string instance = stream.PeerInstance();
    unidentified_.erase(&stream);
    // Let go of it when we return; Stream holds itself while it calls us.
    const auto ours = streams_.extract(&stream);
    if (instance.empty()) {
        // Never said who it is: nothing for `peers --log`, which a stranger could fill.
        log::Debug("link", "closed a stream from " + stream.RemoteAddress().to_string() + " (" +
                               reason + ")");
        return;
    }
    if (!stream.Refusal().empty())
        LogHandshake(store_, instance, "refused", stream.Refusal());
    else
        LogHandshake(store_, instance, "closed", reason);
    auto* link = LinkOf(stream);
    if (link == nullptr)
        return;
    link->stream = nullptr;
    if (link->retry)
        link->retry->cancel();
    // A stream that ended our way (done, or idle) starts the backoff over; one
    // the peer closed or that broke does not, so that a peer that hangs up on
    // every stream is dialled ever more rarely, not every 2 s.
    if (stream.GetEnding() == Stream::Ending::ByUs)
        link->retry_seconds = 2;
    owner_.OnLinkLost(instance, stream.GetEnding());
    // Refused under the pin we dialled a returning pigeon with, while its
    // records, answering meanwhile, brought a new one: dial under that now.
    const auto* neighbour = neighbours_.Find(instance);
    if (!stream.Refusal().empty() && neighbour != nullptr && !neighbour->pin.empty() &&
        neighbour->pin != stream.RequiredPin())
        ContactIfWanted(instance, "dialling again under a new pin");
}

void Connections::ContactIfWanted(const std::string& instance, const char* what) noexcept
{
    try {
        const auto* neighbour = neighbours_.Find(instance);
        if (neighbour != nullptr && neighbour->present && owner_.HasWork(instance))
            Contact(instance);
    } catch (const std::exception& e) {
        log::Error("link", std::string(what) + " " + instance + ": " + e.what());
    }
}

} // namespace pigeon::link
