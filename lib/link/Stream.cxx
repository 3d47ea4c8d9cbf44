#include "link/Stream.hxx"

#include "util/Log.hxx"
#include "xml/Serializer.hxx"
#include "xmpp/Namespaces.hxx"

#include <boost/asio/write.hpp>

namespace pigeon::link {
namespace asio = boost::asio;

namespace {

// How long the closing tag may take to leave once we closed on a deadline.
constexpr auto kCloseGrace = std::chrono::seconds(5);

constexpr std::string_view kTlsNs = "urn:ietf:params:xml:ns:xmpp-tls";

asio::ip::address RemoteAddressOf(const asio::ip::tcp::socket& socket) noexcept
{
    boost::system::error_code ec;
    const auto endpoint = socket.remote_endpoint(ec);
    return ec ? asio::ip::address() : endpoint.address();
}

xml::StreamHeader MakeHeader(const std::string& from, const std::string& to)
{
    xml::StreamHeader header;
    header.content_ns = std::string(xmpp::ns::kClient);
    header.attrs = {{"from", from, {}}, {"to", to, {}}, {"version", "1.0", {}}};
    return header;
}

} // namespace

Stream::Stream(asio::ip::tcp::socket socket, Role role, StreamOwner& owner,
               Alive::Token owner_alive, const StreamSettings& settings)
    : timer_(socket.get_executor()), remote_address_(RemoteAddressOf(socket)),
      socket_((NoDelay(socket), std::move(socket))),
      deadline_(settings.deadlines, StreamDeadline::Clock::now()), role_(role), owner_(owner),
      owner_alive_(std::move(owner_alive)), settings_(settings), parser_(settings.limits)
{
}

// Each stanza or batch is one write that the peer answers: Nagle would hold
// the next one back for the delayed ACK of the last (tens of ms each).
void Stream::NoDelay(asio::ip::tcp::socket& socket) noexcept
{
    boost::system::error_code ec;
    socket.set_option(asio::ip::tcp::no_delay(true), ec);
}

Stream::~Stream() = default; // the socket closes itself

void Stream::RequireTls(std::string pin)
{
    pin_ = std::move(pin);
    tls_ = Tls::Wanted;
}

void Stream::Start(const std::string& local_instance, const std::string& remote_instance)
{
    local_instance_ = local_instance;
    if (role_ == Role::Initiator) {
        peer_instance_ = remote_instance;
        Write(xml::StreamOpenTag(MakeHeader(local_instance, remote_instance)));
    }
    ArmTimer();
    Read();
}

void Stream::Accept(const std::string& local_instance, const xml::StreamHeader& peer_header)
{
    Write(xml::StreamOpenTag(MakeHeader(local_instance, std::string(peer_header.From()))));
    xml::Element features("features", std::string(xmpp::ns::kStreams));
    if (tls_ == Tls::Wanted) {
        // A pigeon that announces a pin speaks 1.0; a header without it is a downgrade.
        features.AddChild(xml::Element("starttls", std::string(kTlsNs)))
            .AddChild(xml::Element("required", std::string(kTlsNs)));
        Send(features);
        tls_ = Tls::Offered;
        return; // not identified until the header under TLS
    }
    // Peers without version='1.0' (old iChat, some Bonjour clients) expect no features.
    if (peer_header.Version() == "1.0")
        Send(features);
    headers_crossed_ = true;
    deadline_.OnIdentified();
}

bool Stream::OnTlsStanza(const xml::Element& stanza)
{
    if (stanza.ns == kTlsNs && stanza.name == "starttls" && tls_ == Tls::Offered) {
        Send(xml::Element("proceed", std::string(kTlsNs)));
        tls_ = Tls::Proceeding;
        return true;
    }
    if (stanza.ns == kTlsNs && stanza.name == "proceed" && tls_ == Tls::Requested) {
        tls_ = Tls::Proceeding;
        return true;
    }
    if (stanza.ns == xmpp::ns::kStreams && stanza.name == "features" && tls_ == Tls::Wanted &&
        role_ == Role::Initiator && peer_opened_) {
        if (stanza.Child("starttls", kTlsNs) == nullptr)
            return false;
        Send(xml::Element("starttls", std::string(kTlsNs)));
        tls_ = Tls::Requested;
        return true;
    }
    return false;
}

// Only once nothing is read or written in plain: TLS takes the socket over.
void Stream::BeginHandshake()
{
    if (tls_ != Tls::Proceeding || writing_ || !open_ || closing_)
        return;
    tls_ = Tls::Handshaking;
    const auto side =
        role_ == Role::Initiator ? ssl::TlsStream::Side::Client : ssl::TlsStream::Side::Server;
    socket_.StartTls(
        *settings_.tls_key, side, pin_,
        [self = shared_from_this()](const std::string& error, bool) { self->OnHandshake(error); });
}

void Stream::OnHandshake(const std::string& error) noexcept
{
    if (!open_ || tls_ != Tls::Handshaking)
        return;
    if (!error.empty()) {
        refusal_ = error;
        Shutdown(Ending::ByUs, "closed by us: " + error); // no XML left to say it in
        return;
    }
    tls_ = Tls::Done;
    try {
        parser_.Reset(); // RFC 6120 5.4.3.3: a new stream, from the initiator's header on
    } catch (const std::exception&) {
        Shutdown(Ending::ByUs, "closed by us: out of memory");
        return;
    }
    peer_opened_ = false;
    if (role_ == Role::Initiator)
        Write(xml::StreamOpenTag(MakeHeader(local_instance_, peer_instance_)));
    else if (!write_queue_.empty())
        WriteNext();
    Read();
}

void Stream::Refuse(const std::string& why)
{
    refusal_ = why;
    log::Notice("link",
                "refusing " +
                    (peer_instance_.empty() ? remote_address_.to_string() : peer_instance_) + ": " +
                    why);
    Close("policy-violation");
}

void Stream::Send(const xml::Element& stanza, std::span<const xml::NamespacePrefix> prefixes)
{
    if (!open_ || closing_)
        return;
    try {
        Write(xml::Serialize(stanza, xmpp::ns::kClient, prefixes));
    } catch (const std::exception& e) {
        log::Error("link", std::string("dropped a stanza we could not serialise: ") + e.what());
    }
}

void Stream::Close(const std::string& error_condition)
{
    if (!open_ || closing_)
        return;
    if (!error_condition.empty()) {
        xml::Element error("error", std::string(xmpp::ns::kStreams));
        error.AddChild(xml::Element(error_condition, std::string(xmpp::ns::kStreamErrors)));
        Send(error);
    }
    Write(xml::StreamCloseTag());
    closing_ = true; // the socket is shut once the queue drains
    if (ending_ == Ending::ByPeer)
        close_reason_ = "closed by the peer"; // ours only answers its closing tag
    else
        close_reason_ = !refusal_.empty()         ? "closed by us: " + refusal_
                        : error_condition.empty() ? "closed by us"
                                                  : "closed by us: " + error_condition;
    if (!writing_)
        Shutdown(ending_, close_reason_);
}

void Stream::Read()
{
    socket_.ReadSome(asio::buffer(read_buffer_),
                     [self = shared_from_this()](const boost::system::error_code& ec,
                                                 std::size_t size) { self->OnRead(ec, size); });
}

void Stream::OnRead(const boost::system::error_code& ec, std::size_t size) noexcept
{
    if (!open_)
        return;
    if (ec) {
        if (ec == asio::error::eof)
            Shutdown(Ending::ByPeer, "peer closed the connection");
        else
            Shutdown(Ending::Broken, ec.message());
        return;
    }
    const std::string_view chunk(read_buffer_.data(), size);
    std::vector<xml::StreamParser::Event> events;
    try {
        events = parser_.Feed(chunk);
    } catch (const xml::StreamError& e) {
        log::Warning("link", "stream from " + remote_address_.to_string() + ": " + e.what());
        Close(e.condition());
        return;
    } catch (const std::exception& e) {
        Close("internal-server-error");
        return;
    }
    deadline_.OnBytes(StreamDeadline::Clock::now(), chunk, !events.empty());
    ArmTimer();
    // The read handler holds us, so the owner may drop its reference from a callback.
    for (const auto& event : events) {
        if (!open_ || closing_ || owner_alive_.Gone())
            return;
        if (tls_ != Tls::Plain && tls_ != Tls::Done) {
            if (!OnTlsEvent(event))
                break;
            continue;
        }
        switch (event.kind) {
        case xml::StreamParser::Event::Kind::Open:
            peer_opened_ = true;
            if (role_ == Role::Initiator) {
                headers_crossed_ = true;
                deadline_.OnIdentified();
            }
            owner_.OnStreamHeader(*this, event.header);
            break;
        case xml::StreamParser::Event::Kind::Stanza:
            owner_.OnStanza(*this, event.stanza);
            break;
        case xml::StreamParser::Event::Kind::Close:
            ending_ = Ending::ByPeer; // it closed first
            Close();
            return;
        }
    }
    if (open_ && !closing_ && tls_ != Tls::Proceeding)
        Read();
    BeginHandshake(); // if agreed and nothing is being written
}

// Before TLS: the header (the initiator waits for features), STARTTLS's
// stanzas, the peer's goodbye. False if the stream is closing.
bool Stream::OnTlsEvent(const xml::StreamParser::Event& event)
{
    switch (event.kind) {
    case xml::StreamParser::Event::Kind::Open:
        if (role_ == Role::Responder || peer_opened_) {
            Refuse("a second stream header before TLS");
            return false;
        }
        peer_opened_ = true; // its features come next
        return true;
    case xml::StreamParser::Event::Kind::Stanza:
        if (event.stanza.ns == xmpp::ns::kStreams && event.stanza.name == "error") {
            Close(); // the peer's goodbye (e.g. it does not know us): not a downgrade
            return false;
        }
        if (settings_.tls_key == nullptr) {
            Refuse("it announces a TLS pin and we have no TLS key (link-tls = no)");
            return false;
        }
        if (OnTlsStanza(event.stanza))
            return tls_ != Tls::Proceeding; // nothing after this, in plain
        Refuse("it announces a TLS pin but sent <" + event.stanza.name + "/> in plain");
        return false;
    case xml::StreamParser::Event::Kind::Close:
        ending_ = Ending::ByPeer; // it closed first
        Close();
        return false;
    }
    return false;
}

void Stream::Write(std::string data)
{
    pending_bytes_ += data.size();
    write_queue_.push_back(std::make_shared<const std::string>(std::move(data)));
    if (!writing_ && tls_ != Tls::Handshaking) // the handshake has the socket
        WriteNext();
}

void Stream::WriteNext()
{
    if (write_queue_.empty()) {
        writing_ = false;
        if (closing_)
            Shutdown(ending_, close_reason_);
        else
            BeginHandshake(); // if it waited for our <proceed/> or <starttls/> to leave
        return;
    }
    writing_ = true;
    socket_.Write(write_queue_.front(),
                  [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                      self->pending_bytes_ -= self->write_queue_.front()->size();
                      self->write_queue_.pop_front();
                      if (ec) {
                          self->writing_ = false;
                          self->Shutdown(Ending::Broken, "write failed: " + ec.message());
                          return;
                      }
                      self->WriteNext();
                  });
}

void Stream::ArmTimer()
{
    const auto due = deadline_.Next().when;
    if (due >= armed_)
        return; // the timer fires first and looks again
    armed_ = due;
    timer_.expires_at(due);
    timer_.async_wait([this, alive = alive_.Watch()](const boost::system::error_code& ec) {
        if (ec || alive.Gone() || !open_)
            return;
        armed_ = StreamDeadline::Clock::time_point::max();
        OnTimer();
    });
}

void Stream::OnTimer() noexcept
{
    if (tls_ == Tls::Handshaking) { // nothing can be said in the middle of it
        refusal_ = "the TLS handshake did not finish in time";
        Shutdown(Ending::ByUs, "closed by us: " + refusal_);
        return;
    }
    if (closing_) {
        // Our last words did not leave (the answer to its closing tag, perhaps).
        Shutdown(ending_, ending_ == Ending::ByPeer ? close_reason_
                                                    : "closed by us: the peer does not read");
        return;
    }
    const auto due = deadline_.Next();
    if (due.when > StreamDeadline::Clock::now()) {
        ArmTimer(); // moved on since it was armed
        return;
    }
    const std::string who = peer_instance_.empty() ? remote_address_.to_string() : peer_instance_;
    const bool slow = due.reason == StreamDeadline::Reason::Stanza;
    if (due.reason == StreamDeadline::Reason::Idle) {
        log::Debug("link", "closing idle stream with " + who);
        Close();
    } else if (!peer_opened_) {
        // No stream to send an error on: just hang up.
        log::Info("link", "closing stream from " + who + ": no stream header in time");
        Shutdown(Ending::ByUs, "closed by us: no stream header in time");
        return;
    } else {
        log::Info("link", "closing stream with " + who +
                              (slow ? ": a stanza came too slowly" : ": not identified in time"));
        Close(slow ? "policy-violation" : "connection-timeout");
    }
    if (open_ && closing_) {
        // The closing tag waits for the peer to read; it gets a moment.
        armed_ = StreamDeadline::Clock::now() + kCloseGrace;
        timer_.expires_at(armed_);
        timer_.async_wait([this, alive = alive_.Watch()](const boost::system::error_code& ec) {
            if (!ec && !alive.Gone() && open_)
                OnTimer();
        });
    }
}

void Stream::Shutdown(Ending ending, const std::string& reason) noexcept
{
    if (!open_)
        return;
    open_ = false;
    ending_ = role_ == Role::Initiator && !peer_opened_ ? Ending::Broken : ending;
    timer_.cancel();
    socket_.Close();
    // Not a check but a hold: the owner may drop its reference from the callback.
    const auto self = shared_from_this();
    if (!owner_alive_.Gone())
        owner_.OnStreamClosed(*this, reason);
}

} // namespace pigeon::link
