#pragma once
// The origin's side of the carrier handoff (doc/carry-protocol.md): offers
// our queued messages to carriers in batches, eight batches in flight per
// carrier, each message to at most K carriers and to one carrier at a time,
// and records a handoff only on the carrier's acknowledgement of its durable
// copy. A carrier that stops answering is cut off; one that refuses is
// asked no more until it reappears, or, when it refused for now (its quota or
// its disk is full), until a backoff timer of its own says to try again.

#include "link/CarryAnswer.hxx"
#include "link/CarryProtocol.hxx"
#include "link/OutboxSigner.hxx"
#include "link/ReplyDeadline.hxx"
#include "store/Model.hxx"
#include "util/Alive.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::store {
class Store;
} // namespace pigeon::store

namespace pigeon::link {

class Stream;
struct LinkConfig;
struct Neighbour;

class Handoff {
public:
    // Called from the loop when a carrier that refused for now may be asked
    // again: contact it if it is still here. Must not throw.
    using Retry = std::function<void(const std::string& instance)>;

    // `config` is the LinkManager's: K, batch sizes, ttl, our identity.
    Handoff(boost::asio::io_context& io, store::Store& store, const LinkConfig& config,
            Retry retry) noexcept;

    // Whether this neighbour would carry something of ours now. Throws what
    // the store throws.
    bool HasWork(const std::string& instance, const Neighbour& neighbour);
    // Whether another batch may go to `instance` once it has a stream: it
    // has not refused us and fewer than two batches await its answer.
    bool HasRoom(const std::string& instance) const noexcept;
    // Offers our queue, from `origin`, to a carrier over `stream` until two
    // batches are unanswered or nothing is left for it. Throws what the store
    // throws.
    // `own_instance` heads the path each copy carries.
    void Offer(const std::string& instance, const Neighbour& neighbour, Stream& stream,
               const std::string& origin, const std::string& own_instance);
    // Whether `iq_id` is a carry request to `instance` still awaiting its answer.
    bool Awaits(const std::string& instance, std::string_view iq_id) const noexcept;
    // Whether any carry request to `instance` awaits its answer.
    bool Awaiting(const std::string& instance) const noexcept;
    // Takes the answer `iq` to one of our carry requests, recording what the
    // carrier took (from `origin`). False when the carrier refused: offer it
    // nothing more until it reappears or, refused for now, until our Retry
    // is called for it. Throws what the store throws.
    bool TakeReply(const std::string& instance, Stream& stream, const xml::Element& iq,
                   const std::string& origin);
    // It reappeared: it may be asked again, and a backoff starts over.
    void Forgive(const std::string& instance) noexcept;
    // The stream with `instance` is gone: what it did not answer may go to
    // other carriers, and the next contact walks our queue afresh.
    void EndContact(const std::string& instance) noexcept;
    void Forget(const std::string& instance) noexcept;
    // `item` was just queued: each carrier's walk takes it in (its position
    // may be behind theirs: the same millisecond, or the clock went back).
    void Queued(const store::OutboxItem& item) noexcept;
    // Every carrier's walk starts again from the start of our queue (K grew).
    void Rewind() noexcept;
    // What seals our messages, at queue time or, failing that, here.
    OutboxSigner& Signer() noexcept { return signer_; }

private:
    // One carry request: the origin-ids it offers, with the budget each gives.
    struct Offered {
        std::vector<std::string> ids;
        std::vector<int> copies;
        store::QueuePosition before; // just before its first message
    };
    struct Carrier {
        bool refused = false;    // it refused to carry for us: stop asking until it reappears
        int refused_for_now = 0; // wait-type refusals in a row, for the backoff
        bool rest_waits = false; // a batch's rest refused for now awaits retry_timer
        std::unique_ptr<boost::asio::steady_timer> retry_timer; // while refused for now
        // Our unanswered carry requests, by iq id.
        std::map<std::string, Offered> pending;
        // How far our handoffs to it got through our queue, kept from one
        // contact to the next: what is behind is held by it, has its K
        // carriers, expired or was refused by it, and stays so, unless the
        // carrier reappears (Forgive), a recipient refused a carrier's upload
        // (Store::Requeued) or K grew (Rewind). So a send costs one step of
        // the walk, not a walk over all it holds (issue 13).
        store::QueuePosition offered_up_to;
        std::uint64_t requeued = 0; // Store::Requeued() when offered_up_to was last valid
        std::unique_ptr<ReplyDeadline> deadline; // while a request awaits its answer
    };
    struct Batch {
        std::vector<OutgoingItem> items;
        Offered offered;
    };

    bool Refused(const std::string& instance) const noexcept;
    // Where the next walk for `carrier` starts: offered_up_to, or the start
    // of the queue if an older message became eligible again since.
    const store::QueuePosition& WalkFrom(Carrier& carrier) noexcept;
    // The walk starts again no later than `position`.
    static void RewindTo(Carrier& carrier, const store::QueuePosition& position) noexcept;
    // Sends the next batch of our queue to a carrier; false if nothing was left.
    bool OfferBatch(const std::string& instance, const Neighbour& neighbour, Carrier& carrier,
                    Stream& stream, const std::string& origin, const std::string& own_instance);
    Batch NextBatch(const std::string& instance, const Neighbour& neighbour, Carrier& carrier,
                    const std::string& origin, const std::string& own_instance);
    OutgoingItem Wrap(const store::OutboxItem& item, const std::string& origin,
                      const std::string& own_instance, OutboxSigner::Keys& keys);
    // Waits for the carrier's next answer while requests are pending.
    void ArmDeadline(Carrier& carrier, Stream& stream);
    // It refused as `answer` says: stop offering; for now, ask again after a
    // backoff, which comes back (nullopt when we wait for it to reappear).
    std::optional<std::chrono::milliseconds> Refuse(const std::string& instance, Carrier& carrier,
                                                    const CarryAnswer& answer);
    // Offers again to it after the next step of its backoff; returns the delay.
    std::chrono::milliseconds RetryLater(const std::string& instance, Carrier& carrier);
    // It took something: whatever it refused before, it is taking again; the
    // backoff starts over only if it took everything (`all`).
    void Accepted(Carrier& carrier, bool all) noexcept;
    // A carry request is answered or lost: its messages may be offered again.
    void Release(Carrier& carrier, const std::string& iq_id) noexcept;

    boost::asio::io_context& io_;
    store::Store& store_;
    const LinkConfig& config_;
    Retry retry_;
    OutboxSigner signer_;
    std::map<std::string, Carrier> carriers_; // by instance
    // Origin-ids offered to some carrier and not answered yet. A message is
    // offered to one carrier at a time, so that carriers in contact at the
    // same moment cannot take it past K together.
    std::set<std::string> offered_;
    unsigned next_iq_ = 0;
    Alive alive_; // last: gone before anything above
};

} // namespace pigeon::link
