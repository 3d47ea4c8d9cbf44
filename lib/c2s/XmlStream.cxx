#include "c2s/XmlStream.hxx"

#include <utility>

#include "util/Log.hxx"
#include "xml/Serializer.hxx"
#include "xmpp/Namespaces.hxx"

namespace pigeon::c2s {
namespace {

constexpr std::string_view kLog = "c2s";

} // namespace

XmlStream::XmlStream(std::unique_ptr<ssl::Socket> socket, Handler& handler,
                     xml::StreamLimits limits)
    : socket_(std::move(socket)), handler_(handler), parser_(limits)
{
}

XmlStream::~XmlStream()
{
    socket_->Close();
}

void XmlStream::Open(const std::string& domain)
{
    xml::StreamHeader header;
    header.content_ns = xmpp::ns::kClient;
    header.attrs = {{"to", domain, {}}, {"version", "1.0", {}}};
    Write(xml::StreamOpenTag(header));
    parser_.Reset();
    ++document_;
    paused_ = false;
    Read();
}

void XmlStream::Send(const xml::Element& element)
{
    Write(xml::Serialize(element, xmpp::ns::kClient));
}

void XmlStream::Write(std::string data)
{
    if (ended_ && !closing_)
        return;
    log::Debug(kLog, "out: " + data);
    queue_.push_back(std::make_shared<const std::string>(std::move(data)));
    WriteNext();
}

void XmlStream::WriteNext()
{
    if (writing_ || (ended_ && !closing_))
        return;
    if (queue_.empty()) {
        if (closing_) {
            CloseSocket(); // our goodbye is out
        } else if (after_writes_) {
            const auto next = std::move(after_writes_);
            after_writes_ = nullptr;
            next();
        }
        return;
    }
    writing_ = true;
    const auto alive = alive_.Watch();
    socket_->Write(queue_.front(), [this, alive](const boost::system::error_code& ec, std::size_t) {
        if (alive.Gone())
            return;
        writing_ = false;
        queue_.pop_front();
        if (ec && closing_)
            CloseSocket();
        else if (ec)
            End("cannot write to the server: " + ec.message());
        else
            WriteNext();
    });
}

void XmlStream::Read()
{
    if (reading_ || paused_ || ended_)
        return;
    reading_ = true;
    const auto alive = alive_.Watch();
    socket_->ReadSome(
        boost::asio::buffer(*buffer_),
        [this, alive, buffer = buffer_](const boost::system::error_code& ec, std::size_t size) {
            if (!alive.Gone())
                OnRead(ec, size);
        });
}

void XmlStream::OnRead(const boost::system::error_code& ec, std::size_t size)
{
    reading_ = false;
    if (ended_)
        return;
    if (ec) {
        End(ec == boost::asio::error::eof ? "the server closed the connection"
                                          : "connection to the server broken: " + ec.message());
        return;
    }
    received_ = std::chrono::steady_clock::now();
    std::vector<xml::StreamParser::Event> events;
    try {
        events = parser_.Feed(std::string_view(buffer_->data(), size));
    } catch (const xml::StreamError& e) {
        xml::Element error{"error", std::string{xmpp::ns::kStreams}};
        error.AddChild(xml::Element{e.condition(), std::string{xmpp::ns::kStreamErrors}});
        Write(xml::Serialize(error, xmpp::ns::kClient) + xml::StreamCloseTag());
        End(std::string("the server sent what XMPP forbids: ") + e.what());
        return;
    }
    Deliver(std::move(events));
}

void XmlStream::Deliver(std::vector<xml::StreamParser::Event> events)
{
    const auto alive = alive_.Watch();
    const std::uint64_t document = document_;
    for (auto& event : events) {
        switch (event.kind) {
        case xml::StreamParser::Event::Kind::Open:
            handler_.OnStreamHeader(event.header);
            break;
        case xml::StreamParser::Event::Kind::Stanza:
            log::Debug(kLog, "in: <" + event.stanza.name + "/> " + event.stanza.ns);
            handler_.OnStreamElement(std::move(event.stanza));
            break;
        case xml::StreamParser::Event::Kind::Close:
            Write(xml::StreamCloseTag());
            End("the server closed the stream");
            return;
        }
        if (alive.Gone() || ended_ || document != document_)
            return; // destroyed, ended, or restarted: the rest is not for us
    }
    Read();
}

void XmlStream::StartTls(const std::string& domain, const ssl::TlsOptions& options,
                         ssl::TlsStream::HandshakeDone done)
{
    paused_ = true;
    const auto alive = alive_.Watch();
    after_writes_ = [this, alive, domain, options, done = std::move(done)]() mutable {
        try {
            socket_->StartTls(domain, options, [alive, done](const std::string& e, bool refused) {
                if (!alive.Gone())
                    done(e, refused);
            });
        } catch (const std::exception& e) {
            done(e.what(), false);
        }
    };
    WriteNext(); // hands over at once if nothing is left to write
}

void XmlStream::Close(std::function<void()> closed) noexcept
{
    if (ended_)
        return;
    ended_ = true; // the handler hears nothing more
    closing_ = true;
    after_writes_ = nullptr;
    closed_ = std::move(closed);
    try {
        Write(xml::StreamCloseTag()); // the socket closes once it is out
    } catch (...) {
        socket_->Close();
    }
}

void XmlStream::CloseSocket() noexcept
{
    socket_->Close();
    if (const auto closed = std::exchange(closed_, nullptr))
        closed();
}

void XmlStream::Abort() noexcept
{
    ended_ = true;
    closing_ = false;
    socket_->Close();
}

void XmlStream::End(const std::string& reason) noexcept
{
    if (ended_)
        return;
    ended_ = true;
    socket_->Close();
    handler_.OnStreamEnd(reason);
}

} // namespace pigeon::c2s
