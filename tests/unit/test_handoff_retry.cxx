// The origin's side of a handoff (link/Handoff) against a scripted carrier
// on a loopback stream: a batch partly refused for now comes round again
// after the backoff, even when the other batch in flight is then taken whole.
#include "crypto/Identity.hxx"
#include "link/Handoff.hxx"
#include "link/LinkConfig.hxx"
#include "link/Neighbours.hxx"
#include "store/Store.hxx"
#include "xmpp/Message.hxx"

#include "LoopbackStream.hxx"
#include "StoreFixture.hxx"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

using namespace pigeon;
using namespace pigeon::test;

namespace {

constexpr const char* kOrigin = "elaine@example.org";
constexpr const char* kCarrier = "kramer@kramer";

// The carrier's answer to our request `iq_id`: each of `ids` with its status.
xml::Element Answer(const std::string& iq_id,
                    const std::vector<std::pair<std::string, std::string>>& ids)
{
    xml::Element request("iq", "jabber:client");
    request.SetAttr("type", "set");
    request.SetAttr("id", iq_id);
    std::vector<link::ItemStatus> statuses;
    for (const auto& [id, status] : ids)
        statuses.push_back({kOrigin, id, status, status == "refused" ? "resource-constraint" : ""});
    return link::MakeCarryResult(request, statuses);
}

} // namespace

TEST_CASE("a rest refused for now is offered again although the next batch was taken whole")
{
    Link link;
    asio::write(link.peer, asio::buffer(kOpen));
    link.Run();
    link.stream->Accept(kCarrier, xml::StreamHeader{});
    TempDb temp;
    store::Store store(temp.File());
    const auto identity = crypto::Identity::Generate();
    link::LinkConfig config;
    config.identity = &identity;
    config.batch_items = 2; // two batches of two in flight
    std::vector<std::string> ids;
    for (int i = 0; i < 4; ++i)
        ids.push_back(
            store.Enqueue("jerry@example.org", "m" + std::to_string(i), 1000 + i, kFarOff).id);
    int retries = 0;
    link::Handoff handoff(link.io, store, config, [&](const std::string&) { ++retries; });
    link::Neighbour kramer;
    kramer.carrier = true;
    handoff.Offer(kCarrier, kramer, *link.stream, kOrigin, kCarrier);
    REQUIRE(handoff.Awaits(kCarrier, "carry-1"));
    REQUIRE(handoff.Awaits(kCarrier, "carry-2"));

    // The first batch: one taken, one refused for lack of room, for now.
    handoff.TakeReply(kCarrier, *link.stream,
                      Answer("carry-1", {{ids[0], "stored"}, {ids[1], "refused"}}), kOrigin);
    // The second: taken whole (room came back meanwhile).
    handoff.TakeReply(kCarrier, *link.stream,
                      Answer("carry-2", {{ids[2], "stored"}, {ids[3], "stored"}}), kOrigin);
    CHECK(store.PendingForCarrier(kCarrier, config.carriers, 10, NowMs()).size() == 1);

    // The backoff's first wait is 1.5 to 2 s: then we are asked to offer again.
    for (int i = 0; i < 12 && retries == 0; ++i)
        link.Run();
    CHECK(retries == 1);
    CHECK(handoff.HasWork(kCarrier, kramer));
}
