#pragma once
// A carrier's desk: takes in what neighbours hand us to carry
// (doc/carry-protocol.md). DecideCarry says what to take; whatever is taken is
// committed to the store, and on disk before the answer leaves (with a
// WalSync, the loop goes on meanwhile), so that an acknowledged message
// survives a crash. A request the disk has no room for is refused
// like one past the quotas: resource-constraint, type wait.

#include "link/LinkConfig.hxx"

namespace pigeon::store {
class Store;
} // namespace pigeon::store

namespace pigeon::xml {
struct Element;
} // namespace pigeon::xml

namespace pigeon::link {

class Stream;

class CarrierDesk {
public:
    // `config` is the LinkManager's, read at each request.
    CarrierDesk(store::Store& store, const LinkConfig& config) noexcept;

    // Answers `iq`, a carry request (FindCarry finds it) that came over
    // `stream`; how many messages are new to us. A copy whose path holds one
    // of `our_names` or is past our hop limit is refused. Throws what the
    // store throws; then nothing was acknowledged.
    int Take(Stream& stream, const xml::Element& iq, std::span<const std::string> our_names);

private:
    // What to store, evict and refuse. Throws what the store throws.
    CarryDecision Decide(const std::string& from_peer, std::span<const IncomingItem> items,
                         UnixMs now);
    // Sends `answer` once every commit made so far is on disk, after the
    // answers before it, if `stream` is still open then.
    void Answer(Stream& stream, xml::Element answer);
    // Refuses the whole request `iq`, and says so.
    void Refuse(Stream& stream, const xml::Element& iq, const CarryRefusal& refusal);
    // Refuses the items whose path holds us or is past the hop limit.
    void CheckRoutes(std::span<IncomingItem> items, std::span<const std::string> our_names) const;
    // Takes out of `items` what needs no new row: a copy `from_peer` gave us
    // before and offers again (answered `stored`), and relayed copies of
    // messages we hold (`duplicate`). Throws what the store throws.
    std::vector<ItemStatus> TakeOutHeld(std::vector<IncomingItem>& items,
                                        const std::string& from_peer);
    // The budget we take on for a copy offered with `offered`: our own L caps it.
    int TakenBudget(int offered) const noexcept;
    // Commits the items `decided` stores, moved out of `items`; the statuses
    // to answer with, those it refused first, then "stored" or "duplicate"
    // as the store found them.
    std::vector<ItemStatus> Keep(const std::string& from_peer, std::vector<IncomingItem> items,
                                 const CarryDecision& decision, UnixMs now);
    // What we hold now (after dropping what expired), with the origins of `items`.
    CarryHoldings Holdings(std::span<const IncomingItem> items, UnixMs now);
    // Counts and logs the items refused as forged.
    void CountForged(const std::string& from_peer, std::span<const IncomingItem> items);
    // Tells the log and those who watch whose copies made room for `for_peer`'s.
    void NoteEvictions(const std::string& for_peer,
                       std::span<const std::pair<std::string, HeldCopy>> evicted);
    // Tells those who watch what we answered `from_peer`.
    void PublishCarrying(const std::string& from_peer,
                         std::span<const ItemStatus> answer) const noexcept;

    store::Store& store_;
    const LinkConfig& config_;
};

} // namespace pigeon::link
