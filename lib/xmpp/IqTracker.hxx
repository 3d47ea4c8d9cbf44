#pragma once
// The IQs a client session sent and waits on (RFC 6120 section 8.2.3): each
// gets an id, a timer, and exactly one answer, the reply from the entity it
// was sent to or nullopt when none comes in time or the session ends. Both
// transports (BOSH and c2s) keep their IQs here.

#include "util/Alive.hxx"
#include "xml/Element.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace pigeon::xmpp {

class IqTracker {
public:
    using Reply = std::function<void(std::optional<xml::Element>)>;

    // account: our bare JID, whose server answers for it. Throws std::invalid_argument if it
    // is not a JID, std::runtime_error if no random bytes are available (for the id prefix).
    IqTracker(boost::asio::io_context& io, const std::string& account,
              std::chrono::seconds timeout);
    // Drops what is pending without calling anyone.
    ~IqTracker();
    IqTracker(const IqTracker&) = delete;
    IqTracker& operator=(const IqTracker&) = delete;

    // Checks that iq is an <iq type='get'/'set'>, puts it in jabber:client if it has no ns,
    // and gives it a fresh id if it has none. Throws std::invalid_argument otherwise or if an
    // IQ with its id is already waiting.
    void Prepare(xml::Element& iq);

    // A fresh id, e.g. for the session's own negotiation.
    std::string NewId();

    // Waits for the reply to iq (prepared); the timer starts now.
    void Track(const xml::Element& iq, Reply reply);

    // Answers the IQ with nullopt at once (e.g. its stanza could not be sent).
    void Abandon(const std::string& id) noexcept;

    // If stanza is the reply to a tracked IQ from its addressee, completes it and returns
    // true; full_jid is ours while bound (empty before). A reply nobody waits for is dropped
    // (true as well): it is never a stanza for the listener.
    bool Take(const xml::Element& stanza, const std::string& full_jid);

    // The session ended: every pending IQ gets nullopt. False if a reply destroyed us.
    bool FailAll() noexcept;

private:
    struct Pending {
        Reply reply;
        std::string to; // whom the reply must come from
        std::unique_ptr<boost::asio::steady_timer> timer;
    };

    bool IsReply(const xml::Element& stanza, const std::string& expected_from,
                 const std::string& full_jid) const;
    void Complete(const std::string& id, std::optional<xml::Element> result) noexcept;

    boost::asio::io_context& io_;
    std::string bare_;
    std::string domain_;
    std::chrono::seconds timeout_;
    std::string id_prefix_;
    std::uint64_t next_id_ = 0;
    std::map<std::string, Pending> pending_;
    Alive alive_;
};

} // namespace pigeon::xmpp
