#pragma once
// An XMPP client session with our server, whatever carries it: BOSH over
// HTTP (lib/bosh) or a TCP stream with TLS and stream management (lib/c2s).
// The uplink drives either through this one interface. A session logs in,
// binds a resource, sends initial presence, carries stanzas both ways, and
// when it ends for any reason its listener hears it once; the owner may then
// Start() again (after a backoff of its choosing).

#include "xml/Element.hxx"

#include <functional>
#include <optional>
#include <string>

namespace pigeon::xmpp {

class ClientSession {
public:
    // Why a session ended or could not be established, for the owner to decide what next.
    enum class Failure {
        Transient, // the network, the server going away, a timeout: try again later
        Auth,      // the server refused our credentials (or could not prove it knows them)
        Tls,       // the server's certificate was refused: retrying will not help
    };

    // Called from the loop; any call may destroy the session or call Start or Stop.
    class Listener {
    public:
        using Failure = ClientSession::Failure;

        // Bound to full_jid (the domain for an unauthenticated session); initial presence is
        // on its way.
        virtual void OnOnline(const std::string& full_jid) noexcept = 0;
        // A message, presence or iq from the server, in order. Replies to SendIq go there
        // instead; an iq get or set must be answered (xmpp::MakeIqError for the unknown).
        virtual void OnStanza(const xml::Element& stanza) noexcept = 0;
        // The session ended or could not be established. Not called after Stop.
        virtual void OnOffline(const std::string& reason, Failure failure) noexcept = 0;

    protected:
        ~Listener() = default;
    };

    virtual ~ClientSession() = default;

    // Starts a new session, dropping a running one as Stop does. Throws std::runtime_error if
    // no random bytes are available.
    virtual void Start() = 0;

    // Ends the session cleanly (unavailable presence, then the transport's goodbye). Pending
    // sends get done(false), pending IQs nullopt; the listener hears nothing more. `done`, if
    // given, is called once from the loop (never from within Stop) when the goodbye has
    // reached the server or failed to, or at once if there was no session; it may be lost if
    // the session is started again or destroyed first, so a caller waiting on it keeps a
    // deadline.
    virtual void Stop(std::function<void()> done = {}) noexcept = 0;

    // The network is gone: drops the connection without a goodbye that could not get through
    // anyway. A transport that can resume (c2s with XEP-0198) keeps what is unacknowledged for
    // the next Start; the others end the session as Stop does. The listener hears nothing.
    virtual void Suspend() noexcept { Stop(); }

    // Queues a stanza (an empty ns means jabber:client). done(true) once the server has taken
    // responsibility for it: for BOSH the HTTP request that carried it was answered, for c2s
    // the server acknowledged it (XEP-0198). done(false) if the session ends first or is not
    // running; the stanza may then still have arrived, so a retry must be idempotent (XEP-0359
    // origin-id). Stanzas sent before the session is online wait for it. done is never called
    // from within Send. Throws std::invalid_argument if the stanza cannot be serialized.
    virtual void Send(xml::Element stanza, std::function<void(bool accepted)> done = {}) = 0;

    // Sends an <iq type='get'/'set'> (given an id if it has none) and calls reply with the
    // result or error stanza from the addressee, or nullopt if the session ends or no reply
    // comes in time. Throws std::invalid_argument if iq is not such a stanza or cannot be
    // serialized.
    virtual void SendIq(xml::Element iq,
                        std::function<void(std::optional<xml::Element>)> reply) = 0;

    virtual bool Online() const noexcept = 0;
    // Empty until online.
    virtual const std::string& FullJid() const noexcept = 0;
    // For the next Start, e.g. after a password change.
    virtual void SetPassword(std::string password) = 0;
};

} // namespace pigeon::xmpp
