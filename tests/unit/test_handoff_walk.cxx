// How far the origin's walk through its queue got for each carrier is kept
// from one look to the next (link/Handoff): a send beside a carrier that
// holds the whole queue costs one step, not a walk over it. What lies behind
// the kept position comes round again when it may have changed: a message
// queued with an earlier time, a recipient's refusal, the carrier's return.
#include "crypto/Identity.hxx"
#include "link/Handoff.hxx"
#include "link/LinkConfig.hxx"
#include "link/Neighbours.hxx"
#include "store/Store.hxx"

#include "StoreOnLoop.hxx"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace pigeon;
using namespace pigeon::test;

namespace {

constexpr const char* kKramer = "kramer@kramer";
constexpr const char* kNewman = "newman@newman";

struct Queue : StoreOnLoop {
    crypto::Identity identity = crypto::Identity::Generate();
    link::LinkConfig config;
    link::Neighbour carrier;
    std::vector<std::string> ids;

    Queue()
    {
        config.identity = &identity;
        carrier.carrier = true;
        for (int i = 0; i < 3; ++i)
            ids.push_back(
                store.Enqueue("jerry@example.org", "m" + std::to_string(i), 1000 + i, kFarOff).id);
    }
    void HandAllTo(const std::string& instance) { store.RecordHandoffs(instance, ids, 2000, {}); }
};

} // namespace

TEST_CASE("a message queued behind the kept position is found once it is announced")
{
    Queue q;
    q.HandAllTo(kKramer);
    link::Handoff handoff(q.io, q.store, q.config, [](const std::string&) {});
    CHECK_FALSE(handoff.HasWork(kKramer, q.carrier)); // kramer holds it all

    // Queued with an earlier time than all (the clock went back).
    const auto late = q.store.Enqueue("jerry@example.org", "late", 500, kFarOff);
    CHECK(q.store.PendingForCarrier(kKramer, q.config.carriers, 10, NowMs()).size() == 1);
    handoff.Queued(late);
    CHECK(handoff.HasWork(kKramer, q.carrier));
}

TEST_CASE("a recipient's refusal of a carrier's upload brings its message round again")
{
    Queue q;
    q.HandAllTo(kKramer);
    const std::vector<std::string> rest{q.ids[1], q.ids[2]};
    q.store.RecordHandoffs(kNewman, rest, 2000, {});
    REQUIRE(q.store.MarkCarrierUploaded(q.ids[0], kKramer, 3000));
    link::Handoff handoff(q.io, q.store, q.config, [](const std::string&) {});
    CHECK_FALSE(handoff.HasWork(kNewman, q.carrier)); // ids[0] waits for kramer's upload

    REQUIRE(q.store.MarkRefusedByRecipient(q.ids[0], 4000));
    CHECK(handoff.HasWork(kNewman, q.carrier));
}

TEST_CASE("the kept position holds until K grows, then the walk starts over")
{
    Queue q;
    q.config.carriers = 1;
    q.HandAllTo(kNewman); // each has its one carrier
    link::Handoff handoff(q.io, q.store, q.config, [](const std::string&) {});
    CHECK_FALSE(handoff.HasWork(kKramer, q.carrier));

    q.config.carriers = 2;                            // read at each look, as a reload leaves it
    CHECK_FALSE(handoff.HasWork(kKramer, q.carrier)); // behind the kept position
    handoff.Rewind();
    CHECK(handoff.HasWork(kKramer, q.carrier));
}
