#pragma once
// One XMPP stream over a Socket (RFC 6120 section 4): our stream header,
// the server's parsed by lib/xml's hardened StreamParser, elements both
// ways, restarts (after STARTTLS and SASL), and the end of the stream. It
// knows nothing of what the elements mean.

#include "ssl/Socket.hxx"
#include "util/Alive.hxx"
#include "xml/Element.hxx"
#include "xml/StreamHeader.hxx"
#include "xml/StreamParser.hxx"

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

namespace pigeon::c2s {

class XmlStream {
public:
    // Called from the loop; any call may destroy the XmlStream.
    class Handler {
    public:
        virtual void OnStreamHeader(const xml::StreamHeader& header) noexcept = 0;
        // A complete top-level element (features, stanzas, SASL and SM elements...).
        virtual void OnStreamElement(xml::Element element) noexcept = 0;
        // The stream is over: closed by the server, broken, or in error. Once; not after
        // Close or Abort.
        virtual void OnStreamEnd(const std::string& reason) noexcept = 0;

    protected:
        ~Handler() = default;
    };

    XmlStream(std::unique_ptr<ssl::Socket> socket, Handler& handler, xml::StreamLimits limits = {});
    ~XmlStream();
    XmlStream(const XmlStream&) = delete;
    XmlStream& operator=(const XmlStream&) = delete;

    // Sends our stream header to domain and (re)starts the parser for the server's: the first
    // open, and each restart. Reading goes on (again) from here. Throws std::invalid_argument
    // if domain cannot go in XML.
    void Open(const std::string& domain);

    // Queues an element (ns jabber:client by default, as the stream's). Throws
    // std::invalid_argument if it cannot be serialized.
    void Send(const xml::Element& element);

    // For STARTTLS: stops reading (the server's next bytes are TLS), waits for what was
    // written to leave, and hands over to TLS; Open again once done says it worked.
    void StartTls(const std::string& domain, const ssl::TlsOptions& options,
                  ssl::TlsStream::HandshakeDone done);

    // Our side of the end: the closing tag, then the socket is closed once it is written (or
    // at once if writing is stuck). The handler hears nothing more; `closed`, if given, is
    // called from the loop once the socket is closed that way (not if the XmlStream is
    // destroyed first).
    void Close(std::function<void()> closed = {}) noexcept;
    // Closes the socket at once, saying nothing to the server (e.g. to keep a XEP-0198
    // session resumable). The handler hears nothing more.
    void Abort() noexcept;

    const ssl::Socket& GetSocket() const noexcept { return *socket_; }
    // When bytes last came from the server.
    std::chrono::steady_clock::time_point LastReceived() const noexcept { return received_; }

private:
    using Buffer = std::array<char, 16 * 1024>;

    void Read();
    void OnRead(const boost::system::error_code& ec, std::size_t size);
    void Deliver(std::vector<xml::StreamParser::Event> events);
    void Write(std::string data);
    void WriteNext();
    void End(const std::string& reason) noexcept;
    void CloseSocket() noexcept;

    std::unique_ptr<ssl::Socket> socket_;
    Handler& handler_;
    xml::StreamParser parser_;
    std::shared_ptr<Buffer> buffer_ = std::make_shared<Buffer>();
    std::deque<std::shared_ptr<const std::string>> queue_;
    bool writing_ = false;
    bool reading_ = false;
    bool paused_ = false;
    bool ended_ = false;
    bool closing_ = false; // ended by us: what is queued still goes out, then the socket closes
    std::uint64_t document_ = 0; // bumped by each Open: events of an older document are void
    std::function<void()> after_writes_;
    std::function<void()> closed_; // Close's
    std::chrono::steady_clock::time_point received_ = std::chrono::steady_clock::now();
    Alive alive_;
};

} // namespace pigeon::c2s
