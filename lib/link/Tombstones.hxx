#pragma once
// Delivery tombstones on the link (issue 11): what we know was delivered goes
// to every pigeon neighbour once per appearance: at once when it is proof
// (verified), else with the next contact; what a neighbour tells us is checked with the
// recipient's key we hold (xmpp::CheckReceipt) before it may delete our copy.
// An unchecked one is kept too: it stops handoffs, never deletes, and goes to
// the message's origin, which may check it with a key we lack. One of our
// own messages that a verified one names is delivered (inbox::Receiver).
// None goes before the contact's summary exchange settled (Summaries), and
// none the neighbour's summary says it knows (with its receipt, if ours has one).

#include "store/Model.hxx"

#include <cstdint>
#include <map>
#include <string>

namespace pigeon {
class EventBus;
} // namespace pigeon
namespace pigeon::inbox {
class Receiver;
} // namespace pigeon::inbox
namespace pigeon::store {
class Store;
} // namespace pigeon::store
namespace pigeon::xml {
struct Element;
} // namespace pigeon::xml

namespace pigeon::link {

class Stream;
class Summaries;
struct Neighbour;

class Tombstones {
public:
    Tombstones(store::Store& store, inbox::Receiver& receiver, EventBus* events,
               const Summaries& summaries) noexcept;

    // Whether `neighbour` is a pigeon that has not heard a verified tombstone
    // we know, or one of its own messages (unverified ones go along when we
    // are in contact anyway).
    // Throws what the store throws.
    bool HasWork(const std::string& instance, const Neighbour& neighbour);
    // Tells it what it has not heard yet. Throws what the store throws.
    void Offer(const std::string& instance, const Neighbour& neighbour, Stream& stream);
    // Takes `iq` (FindTombstones finds it) from `stream`'s peer and answers
    // it; true if something was news to us (to pass on). `origin` is our name
    // on our own messages (our account, or our link-local name). Throws what
    // the store throws: then nothing was answered.
    bool Take(Stream& stream, const xml::Element& iq, const std::string& origin);
    // It is gone: when it comes back it hears everything again.
    void Forget(const std::string& instance) noexcept;

    // Checks a tombstone's receipt with the recipient's key, if we have it.
    static bool Verify(store::Store& store, const store::Tombstone& tombstone);

private:
    store::Store& store_;
    inbox::Receiver& receiver_;
    EventBus* events_;
    const Summaries& summaries_;
    std::map<std::string, std::int64_t> told_up_to_; // by instance: the last row sent
    unsigned next_iq_ = 0;
};

} // namespace pigeon::link
