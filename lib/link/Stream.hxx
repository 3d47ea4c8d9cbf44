#pragma once
// One XEP-0174 link-local XML stream over TCP, in either role. It owns the
// socket and the parser and turns bytes into events for its owner; it knows
// nothing of what the stanzas mean.

#include "link/StreamDeadline.hxx"
#include "ssl/Socket.hxx"
#include "util/Alive.hxx"
#include "xml/Element.hxx"
#include "xml/Serializer.hxx"
#include "xml/StreamHeader.hxx"
#include "xml/StreamParser.hxx"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <span>
#include <string>

namespace pigeon::link {

class Stream;

// Callbacks from a stream. They run on the loop and must not throw.
struct StreamOwner {
    // The peer's stream header arrived.
    virtual void OnStreamHeader(Stream& stream, const xml::StreamHeader& header) noexcept = 0;
    virtual void OnStanza(Stream& stream, const xml::Element& stanza) noexcept = 0;
    // The stream is gone (peer closed, error, a deadline); `reason` says which
    // for the log, Stream::GetEnding() who ended it. The owner may destroy
    // the stream from here.
    virtual void OnStreamClosed(Stream& stream, const std::string& reason) noexcept = 0;

protected:
    ~StreamOwner() = default;
};

struct StreamSettings {
    xml::StreamLimits limits;
    DeadlineRules deadlines; // see StreamDeadline.hxx
    // Ours, for streams with pigeons that announce a pin; null: we can talk
    // only to peers that announce none. Must outlive every stream.
    const ssl::TlsKey* tls_key = nullptr;
};

// Held by a shared_ptr because its own reads and writes need it: Asio
// requires the socket and the buffers to outlive each operation in flight,
// and the last writes (a stream error, the closing tag) must still leave
// once the owner is gone. The owner keeps one reference while it uses the
// stream; everyone else watches it through Watch().
class Stream : public std::enable_shared_from_this<Stream> {
public:
    enum class Role { Initiator, Responder };
    // Who ended a closed stream: we did (a deadline, an error we found, our
    // own close), the peer did (its closing tag, which we answer with ours,
    // or its end of the connection), or the connection broke. A stream we
    // dialled that the peer never opened broke, whoever closed it: refused
    // before its header (it had not resolved us yet, as when two meet at
    // once), it is tried again with the backoff, as a failed dial is.
    enum class Ending { ByUs, ByPeer, Broken };

    // `owner` is called only while `owner_alive` says it exists. Does not throw
    // but for std::bad_alloc.
    Stream(boost::asio::ip::tcp::socket socket, Role role, StreamOwner& owner,
           Alive::Token owner_alive, const StreamSettings& settings);
    ~Stream();

    // Before Start (initiator) or Accept (responder): the peer announced
    // `pin`, so nothing but STARTTLS goes either way until the stream is under
    // TLS with a peer whose certificate has that pin (ssl::TlsKey); then the
    // stream restarts. Anything else closes it, and Refusal() says why.
    void RequireTls(std::string pin);
    // Starts reading. An initiator first sends its header (from -> to).
    void Start(const std::string& local_instance, const std::string& remote_instance);
    // The responder's answer to the initiator's header: our header, then
    // stream features when the peer speaks version 1.0 (STARTTLS, required,
    // if RequireTls was called; else none). Under TLS the initiator's new
    // header comes to the owner as OnStreamHeader again, to be accepted again.
    void Accept(const std::string& local_instance, const xml::StreamHeader& peer_header);

    // Queues a stanza, with `prefixes` declared on it (xml::Serialize). Never
    // throws: an element that cannot be serialised is logged and dropped (it
    // is our bug, not the peer's).
    void Send(const xml::Element& stanza, std::span<const xml::NamespacePrefix> prefixes = {});
    // Sends a stream error (RFC 6120 condition) if given, closes the stream.
    // The owner hears OnStreamClosed, now or once the queue is written.
    void Close(const std::string& error_condition = {});
    // Closes the stream for a reason of trust (a pin, a downgrade) that
    // Refusal() then gives: `peers --log` shows it as refused.
    void Refuse(const std::string& why);
    // For a completion that must know whether this stream still exists.
    Alive::Token Watch() const noexcept { return alive_.Watch(); }

    Role GetRole() const noexcept { return role_; }
    // Once it is closed (OnStreamClosed): who ended it.
    Ending GetEnding() const noexcept { return ending_; }
    bool IsOpen() const noexcept { return open_; }
    // Both stream headers have crossed (we read the responder's, or accepted
    // the initiator's): only now may stanzas go out. A stanza sent earlier
    // reaches a peer that has not identified us yet, which must refuse it.
    bool Ready() const noexcept { return open_ && !closing_ && headers_crossed_; }
    const std::string& PeerInstance() const noexcept { return peer_instance_; }
    void SetPeerInstance(std::string instance) { peer_instance_ = std::move(instance); }
    boost::asio::ip::address RemoteAddress() const noexcept { return remote_address_; }
    // Outgoing bytes not yet written (for flow control of large handoffs).
    std::size_t PendingBytes() const noexcept { return pending_bytes_; }
    // Under TLS with the pinned peer.
    bool Encrypted() const noexcept { return tls_ == Tls::Done; }
    // Why the TLS the peer's pin calls for failed (a mismatch, a plain peer); empty if it did not.
    const std::string& Refusal() const noexcept { return refusal_; }
    // The pin RequireTls was given; empty without one.
    const std::string& RequiredPin() const noexcept { return pin_; }

private:
    // Where STARTTLS stands: Plain without a pin; then Wanted, Offered (the
    // responder's features are out), Requested (the initiator's <starttls/> is
    // out), Proceeding (both agreed: handshake once nothing is in flight),
    // Handshaking, Done.
    enum class Tls { Plain, Wanted, Offered, Requested, Proceeding, Handshaking, Done };

    // A stanza while TLS is not done yet; false if it was not STARTTLS's.
    bool OnTlsStanza(const xml::Element& stanza);
    bool OnTlsEvent(const xml::StreamParser::Event& event);
    static void NoDelay(boost::asio::ip::tcp::socket& socket) noexcept;
    void BeginHandshake();
    void OnHandshake(const std::string& error) noexcept;
    void Read();
    void OnRead(const boost::system::error_code& ec, std::size_t size) noexcept;
    void Write(std::string data);
    void WriteNext();
    // Arms the timer for the next deadline, if sooner than the one armed.
    void ArmTimer();
    void OnTimer() noexcept;
    void Shutdown(Ending ending, const std::string& reason) noexcept;

    boost::asio::steady_timer timer_;
    boost::asio::ip::address remote_address_;
    ssl::Socket socket_;
    StreamDeadline deadline_;
    StreamDeadline::Clock::time_point armed_ = StreamDeadline::Clock::time_point::max();
    Role role_;
    StreamOwner& owner_;
    Alive::Token owner_alive_;
    StreamSettings settings_;
    xml::StreamParser parser_;
    std::string peer_instance_;
    std::string local_instance_; // for the header after STARTTLS
    Tls tls_ = Tls::Plain;
    std::string pin_;     // the peer's, while tls_ is not Plain
    std::string refusal_; // see Refusal()
    std::array<char, 16384> read_buffer_;
    std::deque<std::shared_ptr<const std::string>> write_queue_;
    std::size_t pending_bytes_ = 0;
    bool writing_ = false;
    bool open_ = true;
    bool closing_ = false;
    bool headers_crossed_ = false;
    bool peer_opened_ = false; // the peer's stream header arrived
    // Who closes it and why, once Close() was called: the closing tag may
    // take a while to leave.
    Ending ending_ = Ending::ByUs;
    std::string close_reason_;
    Alive alive_; // last: gone before anything above
};

} // namespace pigeon::link
