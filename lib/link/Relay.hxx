#pragma once
// A carrier's side of spray-and-wait (doc/carry-protocol.md, "Copy budgets
// and paths"): hands the copies we carry on to other pigeon carriers with
// the carry protocol the origin uses, half of each copy's budget at a time,
// never to a neighbour on the copy's path, past the hop limit, or when a
// tombstone says the message arrived. Our budget shrinks only once the
// carrier acknowledged its durable copy, in the transaction that records it.
// Nothing goes before the contact's summary exchange settled (Summaries);
// what the carrier's summary says it holds is recorded as handed, as a
// `duplicate` answer would be, and not offered. A carrier that does not
// answer within ReplyDeadline's time loses the stream, and the batch is free
// for others.

#include "link/CarryProtocol.hxx"
#include "link/ReplyDeadline.hxx"
#include "store/Model.hxx"

#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pigeon::store {
class Store;
} // namespace pigeon::store

namespace pigeon::link {

class Stream;
class Summaries;
struct LinkConfig;
struct Neighbour;

class Relay {
public:
    // `config` is the LinkManager's: L, the hop limit, batch sizes.
    Relay(boost::asio::io_context& io, store::Store& store, const LinkConfig& config,
          const Summaries& summaries) noexcept;

    // Whether we would hand `instance` a copy we carry now; what its summary
    // says it holds is recorded as handed on the way. Throws what the store
    // throws.
    bool HasWork(const std::string& instance, const Neighbour& neighbour);
    // Offers `instance` a batch of what we may hand on, unless one awaits
    // its answer; `own_instance` joins each copy's path. Throws what the
    // store throws.
    void Offer(const std::string& instance, const Neighbour& neighbour, Stream& stream,
               const std::string& own_instance);
    bool Awaits(const std::string& instance, std::string_view iq_id) const noexcept;
    // Takes the answer to our batch: what it stored costs our budget. Throws
    // what the store throws.
    void TakeReply(const std::string& instance, const xml::Element& iq);
    // The stream is gone: an unanswered batch costs nothing and may go again.
    void EndContact(const std::string& instance) noexcept;
    void Forget(const std::string& instance) noexcept;

private:
    struct Sent {
        std::string origin;
        std::string origin_id;
        store::Relayed relayed;
    };
    struct Peer {
        std::string iq_id; // of the batch awaiting its answer, if any
        std::vector<Sent> pending;
        std::int64_t after = 0; // this contact's walk through our copies
        bool refused = false;   // it refused to carry: not again until it reappears
        std::unique_ptr<ReplyDeadline> deadline; // while the batch awaits its answer
    };

    // What goes to `instance` next, from `after` on; empty when nothing.
    std::vector<store::HandOnCandidate> NextBatch(const std::string& instance,
                                                  const Neighbour& neighbour, std::int64_t& after);
    // Records what `instance`'s summary said it holds as handed to it.
    void RecordHeld(const std::string& instance, std::span<const store::Relayed> held);
    // Its batch is answered or lost: the copies may go to others again.
    void Release(Peer& peer) noexcept;

    boost::asio::io_context& io_;
    store::Store& store_;
    const LinkConfig& config_;
    const Summaries& summaries_;
    std::map<std::string, Peer> peers_; // by instance
    // Copies in a batch not answered yet: each budget is split with one
    // carrier at a time.
    std::set<std::int64_t> offered_;
    unsigned next_iq_ = 0;
};

} // namespace pigeon::link
