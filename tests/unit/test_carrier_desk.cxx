// A carrier's desk answers a batch only once the batch is on disk: with a
// WalSync the answer waits for the sync the ring runs (the loop goes on
// meanwhile); without one, the commit itself was durable and the answer
// leaves at once.

#include "link/CarrierDesk.hxx"
#include "link/CarryProtocol.hxx"
#include "link/LinkConfig.hxx"
#include "store/Store.hxx"
#include "store/WalSync.hxx"
#include "xmpp/Message.hxx"

#include "CarriedCopy.hxx"
#include "LoopbackStream.hxx"
#include "OverTheWire.hxx"
#include "RingOrRefusal.hxx"
#include "StoreFixture.hxx"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace pigeon;
using namespace pigeon::test;

namespace {

// Elaine's request that we carry `ids`, as it reaches us.
xml::Element Request(const std::vector<std::string>& ids)
{
    std::vector<link::OutgoingItem> items;
    for (const auto& id : ids) {
        auto m = SampleMessage();
        m.id = id;
        items.push_back({xmpp::Forward(xmpp::ToStanza(m), m.sent), NowMs() + 3'600'000});
    }
    return OverTheWire(link::MakeCarryRequest("carry-1", std::move(items)));
}

// A carrier's end of a stream from elaine@elaine, headers crossed and written.
void Open(Link& link)
{
    asio::write(link.peer, asio::buffer(kOpen));
    link.Run();
    link.stream->Accept("kramer@kramer", xml::StreamHeader{});
    link.stream->SetPeerInstance("elaine@elaine");
    link.Run();
    REQUIRE(link.stream->PendingBytes() == 0);
}

// What elaine reads once we close the stream.
std::string Answers(Link& link)
{
    link.stream->Close();
    link.Run();
    return link.PeerReadsAll();
}

} // namespace

TEST_CASE("with a WalSync, the answer leaves once the sync covering its batch completed")
{
    Link link;
    Open(link);
    TempDb temp;
    store::Store store(temp.File());
    std::optional<uring::FsyncRing> ring;
    if (!OpenRing(link.io, ring))
        return;
    store::WalSync wal(store, &*ring);
    link::LinkConfig config;
    config.wal_sync = &wal;
    link::CarrierDesk desk(store, config);

    CHECK(desk.Take(*link.stream, Request({"a", "b"}), {}) == 2);
    CHECK(store.DeferredCommits() == 1);
    CHECK(wal.Syncs() == 1);
    CHECK(link.stream->PendingBytes() == 0); // nothing said before the disk has it
    CHECK(store.Carrying(NowMs()).size() == 2);

    link.Run(); // the kernel's completion, then the answer
    const auto text = Answers(link);
    CHECK(text.find("id='carry-1'") != std::string::npos);
    CHECK(text.find("id='a' status='stored'") != std::string::npos);
    CHECK(text.find("id='b' status='stored'") != std::string::npos);
}

TEST_CASE("without a WalSync, the batch commits durably and is answered at once")
{
    Link link;
    Open(link);
    TempDb temp;
    store::Store store(temp.File());
    link::LinkConfig config;
    link::CarrierDesk desk(store, config);

    CHECK(desk.Take(*link.stream, Request({"a"}), {}) == 1);
    CHECK(store.DeferredCommits() == 0);
    CHECK(link.stream->PendingBytes() > 0);
    CHECK(Answers(link).find("id='a' status='stored'") != std::string::npos);
}
