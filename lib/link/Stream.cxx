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
    : socket_(std::move(socket)), timer_(socket_.get_executor()),
      deadline_(settings.deadlines, StreamDeadline::Clock::now()), role_(role), owner_(owner),
      owner_alive_(std::move(owner_alive)), settings_(settings), parser_(settings.limits)
{
    boost::system::error_code ec;
    const auto endpoint = socket_.remote_endpoint(ec);
    if (!ec)
        remote_address_ = endpoint.address();
    // Each stanza or batch is one write that the peer answers: Nagle would hold
    // the next one back for the delayed ACK of the last (tens of ms each).
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

Stream::~Stream()
{
    boost::system::error_code ec;
    socket_.close(ec);
}

void Stream::Start(const std::string& local_instance, const std::string& remote_instance)
{
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
    // Peers without version='1.0' (old iChat, some Bonjour clients) expect no features.
    if (peer_header.Version() == "1.0")
        Send(xml::Element("features", std::string(xmpp::ns::kStreams)));
    headers_crossed_ = true;
    deadline_.OnIdentified();
}

void Stream::Send(const xml::Element& stanza)
{
    if (!open_ || closing_)
        return;
    try {
        Write(xml::Serialize(stanza, xmpp::ns::kClient));
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
        close_reason_ =
            error_condition.empty() ? "closed by us" : "closed by us: " + error_condition;
    if (!writing_)
        Shutdown(ending_, close_reason_);
}

void Stream::Read()
{
    socket_.async_read_some(
        asio::buffer(read_buffer_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t size) {
            self->OnRead(ec, size);
        });
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
    if (open_ && !closing_)
        Read();
}

void Stream::Write(std::string data)
{
    pending_bytes_ += data.size();
    write_queue_.push_back(std::move(data));
    if (!writing_)
        WriteNext();
}

void Stream::WriteNext()
{
    if (write_queue_.empty()) {
        writing_ = false;
        if (closing_)
            Shutdown(ending_, close_reason_);
        return;
    }
    writing_ = true;
    asio::async_write(
        socket_, asio::buffer(write_queue_.front()),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t size) {
            self->pending_bytes_ -= size;
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
    ending_ = ending;
    boost::system::error_code ec;
    timer_.cancel();
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    // Not a check but a hold: the owner may drop its reference from the callback.
    const auto self = shared_from_this();
    if (!owner_alive_.Gone())
        owner_.OnStreamClosed(*this, reason);
}

} // namespace pigeon::link
