#pragma once
// The link-local streams (XEP-0174) from birth to close: listening (v6 and
// v4), accepting, resolving and dialling a neighbour on demand, identifying
// an inbound stream by its source address, retrying with backoff, noticing
// a stream closed. What the stanzas mean is for its owner.

#include "link/Admission.hxx"
#include "link/Dialer.hxx"
#include "link/Stream.hxx"
#include "util/AcceptBackoff.hxx"
#include "util/Alive.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace pigeon::avahi {
class Presence;
} // namespace pigeon::avahi

namespace pigeon::store {
class Store;
} // namespace pigeon::store

namespace pigeon::link {

class Neighbours;

class Connections final : public StreamOwner {
public:
    struct Owner {
        // Whether something waits for `instance`: only then is a failed
        // contact tried again. Throws what the store throws.
        virtual bool HasWork(const std::string& instance) = 0;
        // The stream we use with `instance` is open: move what waits for it.
        // Throws what the store throws (the stream is then closed).
        virtual void OnLinkReady(const std::string& instance) = 0;
        // The stream we used with `instance` is gone, ended as `ending` says.
        virtual void OnLinkLost(const std::string& instance, Stream::Ending ending) noexcept = 0;
        // A stanza on an identified stream: the one we use with its peer, or
        // a second one when both sides dialled at once.
        virtual void OnStanza(Stream& stream, const xml::Element& stanza) noexcept = 0;

    protected:
        ~Owner() = default;
    };

    // Listens on `port` for v6 and v4 at once, on each of the interfaces
    // `admission` names where the kernel lets us bind to one (else on all,
    // refusing what comes in elsewhere). `presence` is used only from the
    // loop, so it may be built after us. Throws std::system_error if the
    // port cannot be bound.
    Connections(boost::asio::io_context& io, store::Store& store, avahi::Presence& presence,
                Neighbours& neighbours, const StreamSettings& settings,
                const AdmissionRules& admission, std::uint16_t port, Owner& owner);
    ~Connections();
    Connections(const Connections&) = delete;
    Connections& operator=(const Connections&) = delete;

    std::uint16_t Port() const noexcept { return port_; }
    // Reaches `instance`: over the stream we have (OnLinkReady at once), else
    // resolves it now and dials; without our own instance name (avahi-daemon
    // away) it waits for the owner to call again once we have one. Throws
    // what OnLinkReady throws.
    void Contact(const std::string& instance);
    // The stream we use with `instance` once it is Ready() for stanzas, or nullptr.
    Stream* Open(const std::string& instance) const noexcept;
    // Whether we have, or are making, a stream with `instance`.
    bool InUse(const std::string& instance) const noexcept;
    // Contacts `instance` again later, if it is still announced and the owner
    // still has work for it; each retry waits twice as long, up to a minute,
    // until a stream ends our way or it reappears (ResetBackoff).
    void RetryLater(const std::string& instance);
    // It reappeared: the next retry comes soon again.
    void ResetBackoff(const std::string& instance) noexcept;
    void Forget(const std::string& instance) noexcept;
    // Refuses every stream with `instance` for `why` (its pin is no longer trusted).
    void Refuse(const std::string& instance, const std::string& why);
    // Closes every stream and gives up every dial; the owner hears no more.
    void Stop() noexcept;

private:
    struct Link {
        bool connecting = false;               // resolving or dialling
        std::unique_ptr<Dialer> dialer;        // our connection attempt, while it lasts
        std::vector<avahi::Endpoint> dialling; // the addresses it tries
        Stream* stream = nullptr;              // the stream we use with it, one of streams_
        std::unique_ptr<boost::asio::steady_timer> retry;
        int retry_seconds = 2;
    };

    // StreamOwner
    void OnStreamHeader(Stream& stream, const xml::StreamHeader& header) noexcept override;
    void OnStanza(Stream& stream, const xml::Element& stanza) noexcept override;
    void OnStreamClosed(Stream& stream, const std::string& reason) noexcept override;

    struct Listener {
        explicit Listener(boost::asio::io_context& io) : acceptor(io), backoff(io.get_executor()) {}
        boost::asio::ip::tcp::acceptor acceptor;
        AcceptBackoff backoff;
    };

    // Binds v6 and v4 on each named interface; false if the kernel will not.
    bool ListenOnInterfaces(std::uint16_t port);
    // `device`: the interface to bind to, or empty for all.
    void Listen(const boost::asio::ip::tcp::endpoint& endpoint, const std::string& device = {});
    void Accept(Listener& listener);
    // An accepted connection: a stream if the admission rules take it.
    void Admit(boost::asio::ip::tcp::socket socket);
    Stream& NewStream(boost::asio::ip::tcp::socket socket, Stream::Role role);
    void OnResolved(const std::string& instance, const std::optional<avahi::ServiceInfo>& info);
    void Dial(const std::string& instance, const std::vector<avahi::Endpoint>& endpoints);
    void OnDialled(const std::string& instance, const std::string& error,
                   boost::asio::ip::tcp::socket socket, const boost::asio::ip::tcp::endpoint& used);
    void Identify(Stream& stream, const xml::StreamHeader& header);
    void OnIdentifyResolved(Stream& stream, const std::string& claimed,
                            const xml::StreamHeader& header,
                            const std::optional<avahi::ServiceInfo>& info);
    // The responder's stream with a peer identified (and under TLS if it has a pin): in use.
    void Opened(Stream& stream, const xml::StreamHeader& header);
    // Contacts `instance` if it is present and the owner has work for it;
    // logs a failure as `what` (what we were doing).
    void ContactIfWanted(const std::string& instance, const char* what) noexcept;
    // The link whose stream `stream` is, or nullptr for a second stream.
    Link* LinkOf(const Stream& stream) noexcept;

    boost::asio::io_context& io_;
    store::Store& store_;
    avahi::Presence& presence_;
    Neighbours& neighbours_;
    StreamSettings settings_;
    AdmissionRules admission_; // max_streams already bounded by the descriptor limit
    Owner& owner_;
    std::uint16_t port_ = 0;
    std::vector<std::unique_ptr<Listener>> listeners_;
    // Our interfaces as last read: re-read when a second old or when a
    // connection arrives at an address they do not have.
    std::vector<net::InterfaceAddress> interfaces_;
    std::chrono::steady_clock::time_point interfaces_read_{};
    std::map<std::string, Link> links_; // by instance
    // Every stream until it closes. A stream's own reads and writes hold it
    // too (see Stream.hxx), so its last words leave after we let go.
    std::map<const Stream*, std::shared_ptr<Stream>> streams_;
    std::set<const Stream*> unidentified_; // inbound, not yet who they claim to be
    bool stopping_ = false;                // Stop() was called: ignore what streams tell us
    Alive alive_;                          // last: gone before anything above
};

} // namespace pigeon::link
