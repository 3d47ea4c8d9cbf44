#pragma once
// One XEP-0174 link-local XML stream over TCP, in either role. It owns the
// socket and the parser and turns bytes into events for its owner; it knows
// nothing of what the stanzas mean.

#include "link/StreamDeadline.hxx"
#include "util/Alive.hxx"
#include "xml/Element.hxx"
#include "xml/StreamHeader.hxx"
#include "xml/StreamParser.hxx"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <memory>
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
    // or its end of the connection), or the connection broke.
    enum class Ending { ByUs, ByPeer, Broken };

    // `owner` is called only while `owner_alive` says it exists. Does not throw
    // but for std::bad_alloc.
    Stream(boost::asio::ip::tcp::socket socket, Role role, StreamOwner& owner,
           Alive::Token owner_alive, const StreamSettings& settings);
    ~Stream();

    // Starts reading. An initiator first sends its header (from -> to).
    void Start(const std::string& local_instance, const std::string& remote_instance);
    // The responder's answer to the initiator's header: our header, then
    // empty stream features when the peer speaks version 1.0.
    void Accept(const std::string& local_instance, const xml::StreamHeader& peer_header);

    // Queues a stanza. Never throws: an element that cannot be serialised is
    // logged and dropped (it is our bug, not the peer's).
    void Send(const xml::Element& stanza);
    // Sends a stream error (RFC 6120 condition) if given, closes the stream.
    // The owner hears OnStreamClosed, now or once the queue is written.
    void Close(const std::string& error_condition = {});
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

private:
    void Read();
    void OnRead(const boost::system::error_code& ec, std::size_t size) noexcept;
    void Write(std::string data);
    void WriteNext();
    // Arms the timer for the next deadline, if sooner than the one armed.
    void ArmTimer();
    void OnTimer() noexcept;
    void Shutdown(Ending ending, const std::string& reason) noexcept;

    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer timer_;
    StreamDeadline deadline_;
    StreamDeadline::Clock::time_point armed_ = StreamDeadline::Clock::time_point::max();
    Role role_;
    StreamOwner& owner_;
    Alive::Token owner_alive_;
    StreamSettings settings_;
    xml::StreamParser parser_;
    boost::asio::ip::address remote_address_;
    std::string peer_instance_;
    std::array<char, 16384> read_buffer_;
    std::deque<std::string> write_queue_;
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
