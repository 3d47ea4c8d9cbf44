#pragma once
// A carrier that meets the people its messages concern (doc/carry-protocol.md):
// - the recipient (a pigeon neighbour whose instance, or TXT `jid`, is a
//   carried message's `to`) gets our copies over the stream, and its signed
//   receipt is kept for the origin: we stop uploading what it took;
// - the origin (whose instance or `jid` is a carried message's origin) hears
//   what we know of its messages: uploaded, or delivered with the receipt.
// One request of each kind at a time per neighbour; what its answer names is
// recorded, the rest offered again at the next contact. A neighbour that
// refuses is asked no more until it reappears; one that refuses for now (an
// error of type wait: its disk is full) is asked again after a backoff. One
// that does not answer within ReplyDeadline's time loses the stream.

#include "link/LinkConfig.hxx"
#include "link/ReplyDeadline.hxx"
#include "store/Model.hxx"
#include "util/Alive.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::store {
class Store;
} // namespace pigeon::store

namespace pigeon::xml {
struct Element;
} // namespace pigeon::xml

namespace pigeon::link {

class Stream;
struct Neighbour;

class Courier {
public:
    // Called from the loop when a neighbour that refused for now may be
    // asked again: contact it if it is still here. Must not throw.
    using Retry = std::function<void(const std::string& instance)>;

    // `config` is the LinkManager's: batch size and our identity.
    Courier(boost::asio::io_context& io, store::Store& store, const LinkConfig& config,
            Retry retry) noexcept;

    // Whether we hold something for this neighbour. Throws what the store throws.
    bool HasWork(const std::string& instance, const Neighbour& neighbour);
    // Sends what waits for it over `stream`; `self` is our name in reports
    // (our account, or our link-local name). Throws what the store throws.
    void Pump(const std::string& instance, const Neighbour& neighbour, Stream& stream,
              const std::string& self);
    // Whether `iq_id` is one of our requests to `instance` still awaiting its answer.
    bool Awaits(const std::string& instance, std::string_view iq_id) const noexcept;
    // Whether a delivery or reports to `instance` await their answer.
    bool Awaiting(const std::string& instance) const noexcept;
    // Takes the answer `iq` to one of our requests. Throws what the store throws.
    void TakeReply(const std::string& instance, const xml::Element& iq);
    // It reappeared: it may be asked again.
    void Forgive(const std::string& instance) noexcept;
    // The stream with `instance` is gone: unanswered requests are offered again.
    void EndContact(const std::string& instance) noexcept;
    void Forget(const std::string& instance) noexcept;

private:
    struct Contact {
        bool refused = false;
        // Refusals for now in a row (the backoff's step), and the timer that
        // lifts the last one; both outlive a stream.
        int refused_for_now = 0;
        std::unique_ptr<boost::asio::steady_timer> retry_timer;
        std::unique_ptr<ReplyDeadline> deadline; // while a request awaits its answer
        std::string deliver_iq;                  // our deliver request in flight, empty if none
        std::vector<store::CarriedItem> delivering;
        std::string self;      // our name when we sent it: the way it went, in tombstones
        std::string report_iq; // our reports in flight, empty if none
        std::vector<store::CarrierNews> reporting;
        // What the recipient did not take (held, refused) is not offered again
        // over this stream.
        std::vector<std::string> declined;
    };

    // The carried messages for this neighbour as their recipient, not yet
    // declined over this stream.
    std::vector<store::CarriedItem>
    ForRecipient(const std::string& instance, const Neighbour& neighbour, const Contact& contact);
    std::vector<store::CarrierNews> ForOrigin(const std::string& instance,
                                              const Neighbour& neighbour);
    void TakeDelivered(const std::string& instance, Contact& contact, const xml::Element& iq);
    void TakeReported(const std::string& instance, Contact& contact, const xml::Element& iq);
    // A request went out over `stream`: its answer is waited for.
    void Awaiting(Contact& contact, Stream& stream, const char* what);
    // It answered `iq` with an error: asked no more, or again after a backoff
    // when the error's type is wait. Returns what the log says of it.
    std::string Refused(const std::string& instance, Contact& contact, const xml::Element& iq);

    boost::asio::io_context& io_;
    store::Store& store_;
    const LinkConfig& config_;
    Retry retry_;
    std::map<std::string, Contact> contacts_; // by instance
    unsigned next_iq_ = 0;
    Alive alive_; // last: gone before anything above
};

} // namespace pigeon::link
