#pragma once
// XEP-0198 bookkeeping for one client session, apart from the wire: the
// stanzas we sent and the server has not acknowledged yet (each with its
// done callback), the count of stanzas the server sent us (our h), and what
// a resumption needs (the id, the resume window). Pure: no I/O, no timers.

#include "xml/Element.hxx"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pigeon::c2s {

class StreamManagement {
public:
    // <name xmlns='urn:xmpp:sm:3'/>
    static xml::Element Element(const char* name);
    // The h attribute of <a/> or <resumed/>. Throws std::invalid_argument if it is no
    // 32-bit count.
    static std::uint32_t ParseH(const xml::Element& element);

    using Done = std::function<void(bool accepted)>;

    struct Unacked {
        xml::Element stanza;
        Done done;
    };

    // The server enabled it (<enabled/>): resumable with id, for max (its window) if given.
    void Enabled(std::string id, std::optional<std::chrono::seconds> max);
    bool Active() const noexcept { return active_; }
    bool Resumable() const noexcept { return active_ && !id_.empty(); }
    const std::string& Id() const noexcept { return id_; }
    std::chrono::seconds Window() const noexcept { return window_; }

    // A stanza went out (counted whether or not SM is active, so that what went out before
    // <enabled/> is not lost either).
    void Sent(xml::Element stanza, Done done);
    // The server acknowledged h stanzas in all (<a h/> or <resumed h/>): returns the dones of
    // those newly covered, in order, for the caller to call with true. Throws
    // std::out_of_range if h acknowledges more than we sent (a broken server).
    std::vector<Done> Acknowledged(std::uint32_t h);
    std::size_t Pending() const noexcept { return unacked_.size(); }
    // Stanzas sent in all, modulo 2^32: the h that covers everything sent so far.
    std::uint32_t SentCount() const noexcept
    {
        return acked_ + static_cast<std::uint32_t>(unacked_.size());
    }

    // A stanza came from the server.
    void Received() noexcept { ++inbound_; }
    std::uint32_t Inbound() const noexcept { return inbound_; }

    // Resumption failed or was not tried: everything unacknowledged, to send again in a new
    // session; the counters start over.
    std::vector<Unacked> TakeUnacked();
    // Every pending done, for the caller to fail (the session is over for good).
    std::vector<Done> TakeDones();
    // A resumed session goes on with the same counters; a new one starts from zero.
    void Reset() noexcept;
    // Resumed: the unacknowledged stanzas go out again as they were, and count again.
    std::vector<xml::Element> Resend() const;

private:
    bool active_ = false;
    std::string id_;
    std::chrono::seconds window_{300};
    std::uint32_t inbound_ = 0;
    std::uint32_t acked_ = 0; // the h the server last gave us
    std::deque<Unacked> unacked_;
};

} // namespace pigeon::c2s
