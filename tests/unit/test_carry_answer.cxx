// What a carrier's answer to our handoff means for the next offers
// (link/CarryAnswer): refused for good or for now, and how long to wait.
#include "link/CarryAnswer.hxx"
#include "link/CarryProtocol.hxx"
#include "xmpp/Message.hxx"

#include <doctest/doctest.h>

#include <vector>

using namespace pigeon;
using namespace pigeon::link;
using namespace std::chrono_literals;

namespace {

const std::string kElaine = "elaine@example.org";

xml::Element Request()
{
    xml::Element request("iq", "jabber:client");
    request.SetAttr("type", "set");
    request.SetAttr("id", "carry-1");
    return request;
}

xml::Element Result(const std::vector<ItemStatus>& statuses)
{
    return MakeCarryResult(Request(), statuses);
}

ItemStatus Refused(const std::string& id, const std::string& condition)
{
    return {kElaine, id, "refused", condition};
}

} // namespace

TEST_CASE("a whole request refused with type wait is refused for now")
{
    const auto answer =
        ReadCarryAnswer(xmpp::MakeIqError(Request(), "wait", "resource-constraint"), kElaine);
    CHECK(answer.refusal == Refusal::ForNow);
    CHECK(answer.condition == "resource-constraint");
    CHECK(answer.accepted.empty());
    // The type decides, not the condition: a carrier whose store failed says wait too.
    CHECK(ReadCarryAnswer(xmpp::MakeIqError(Request(), "wait", "internal-server-error"), kElaine)
              .refusal == Refusal::ForNow);
}

TEST_CASE("a whole request refused with cancel, auth or modify is refused for good")
{
    for (const auto* type : {"cancel", "auth", "modify"}) {
        CAPTURE(type);
        const auto answer =
            ReadCarryAnswer(xmpp::MakeIqError(Request(), type, "forbidden"), kElaine);
        CHECK(answer.refusal == Refusal::Final);
        CHECK(answer.condition == "forbidden");
    }
    xml::Element bare("iq", "jabber:client"); // an error without <error/> at all
    bare.SetAttr("type", "error");
    CHECK(ReadCarryAnswer(bare, kElaine).refusal == Refusal::Final);
}

TEST_CASE("every item refused for lack of room is refused for now")
{
    const auto answer = ReadCarryAnswer(
        Result({Refused("a", "resource-constraint"), Refused("b", "resource-constraint")}),
        kElaine);
    CHECK(answer.refusal == Refusal::ForNow);
    CHECK(answer.refused == 2);
    CHECK(answer.condition == "resource-constraint");
}

TEST_CASE("items refused for anything else are refused for good")
{
    const auto answer =
        ReadCarryAnswer(Result({Refused("a", "resource-constraint"), Refused("b", "forbidden"),
                                Refused("c", "not-acceptable")}),
                        kElaine);
    CHECK(answer.refusal == Refusal::Final);
    CHECK(answer.refused == 3);
    CHECK(answer.condition == "forbidden");
}

TEST_CASE("an answer that took something refuses nothing")
{
    const auto answer = ReadCarryAnswer(Result({{kElaine, "a", "stored", ""},
                                                {kElaine, "b", "duplicate", ""},
                                                Refused("c", "resource-constraint")}),
                                        kElaine);
    CHECK(answer.refusal == Refusal::None);
    CHECK(answer.accepted == std::vector<std::string>{"a", "b"});
    CHECK(answer.refused == 1);
    CHECK(answer.condition.empty());
    CHECK(answer.retry_rest); // what had no room comes round again
}

TEST_CASE("the rest refused for good is not asked again")
{
    const auto answer =
        ReadCarryAnswer(Result({{kElaine, "a", "stored", ""}, Refused("b", "forbidden")}), kElaine);
    CHECK(answer.refusal == Refusal::None);
    CHECK_FALSE(answer.retry_rest);
    CHECK_FALSE(ReadCarryAnswer(Result({{kElaine, "a", "stored", ""}}), kElaine).retry_rest);
}

TEST_CASE("items of another origin are not ours to count")
{
    const auto answer = ReadCarryAnswer(
        Result({{"mallory@example.org", "m", "stored", ""}, Refused("a", "resource-constraint")}),
        kElaine);
    CHECK(answer.accepted.empty());
    CHECK(answer.refusal == Refusal::ForNow);
    CHECK(ReadCarryAnswer(Result({}), kElaine).refusal == Refusal::None);
}

TEST_CASE("the wait doubles from 2 s up to 5 min")
{
    CHECK(RetryDelay(0, 0.0) == 2s);
    CHECK(RetryDelay(1, 0.0) == 4s);
    CHECK(RetryDelay(2, 0.0) == 8s);
    CHECK(RetryDelay(7, 0.0) == 256s);
    CHECK(RetryDelay(8, 0.0) == 300s);
    CHECK(RetryDelay(1000, 0.0) == 300s); // no overflow however long it refuses
    for (int earlier = 0; earlier < 12; ++earlier)
        CHECK(RetryDelay(earlier, 0.0) <= RetryDelay(earlier + 1, 0.0));
}

TEST_CASE("jitter takes up to a quarter off")
{
    CHECK(RetryDelay(0, 0.5) == 1750ms);
    CHECK(RetryDelay(0, 0.999) >= 1500ms);
    CHECK(RetryDelay(0, 0.999) < 2s);
    CHECK(RetryDelay(20, 0.999) >= 225s);
    CHECK(RetryDelay(0, 7.0) == 1500ms); // out of range: clamped, never negative
    CHECK(RetryDelay(0, -1.0) == 2s);
}

TEST_CASE("the log names the wait in whole seconds, rounded up")
{
    CHECK(AskingAgainIn(2s) == "; asking again in 2 s");
    CHECK(AskingAgainIn(1500ms) == "; asking again in 2 s");
    CHECK(AskingAgainIn(3001ms) == "; asking again in 4 s");
}
