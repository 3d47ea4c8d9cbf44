#include "link/CarryAnswer.hxx"

#include "link/CarryProtocol.hxx"
#include "xmpp/Message.hxx"

#include <algorithm>

namespace pigeon::link {
namespace {

constexpr std::chrono::milliseconds kFirstDelay{2000};
constexpr std::chrono::milliseconds kLongestDelay{300000};
constexpr std::string_view kWaitCondition = "resource-constraint";

} // namespace

CarryAnswer ReadCarryAnswer(const xml::Element& iq, const std::string& origin)
{
    CarryAnswer answer;
    if (iq.Attr("type") == "error") {
        answer.refusal = xmpp::ErrorType(iq) == "wait" ? Refusal::ForNow : Refusal::Final;
        answer.condition = xmpp::ErrorCondition(iq);
        return answer;
    }
    bool for_now = true;
    for (const auto& status : ParseCarryResult(iq)) {
        if (status.origin != origin)
            continue; // not ours to record
        if (status.status == "stored" || status.status == "duplicate") {
            answer.accepted.push_back(status.origin_id);
            answer.stored.push_back(status.status == "stored");
            continue;
        }
        ++answer.refused;
        // The first condition that is not for now says why, else resource-constraint.
        if (for_now)
            answer.condition = status.condition;
        for_now = for_now && status.condition == kWaitCondition;
    }
    if (answer.refused > 0 && answer.accepted.empty())
        answer.refusal = for_now ? Refusal::ForNow : Refusal::Final;
    else
        answer.condition.clear();
    answer.retry_rest = answer.refused > 0 && !answer.accepted.empty() && for_now;
    return answer;
}

std::chrono::milliseconds RetryDelay(int earlier, double random) noexcept
{
    auto delay = kFirstDelay;
    for (int i = 0; i < earlier && delay < kLongestDelay; ++i)
        delay *= 2;
    delay = std::min(delay, kLongestDelay);
    const double off = std::clamp(random, 0.0, 1.0) / 4;
    return std::chrono::milliseconds(std::int64_t(double(delay.count()) * (1.0 - off)));
}

std::string AskingAgainIn(std::chrono::milliseconds delay)
{
    return "; asking again in " + std::to_string((delay.count() + 999) / 1000) + " s";
}

} // namespace pigeon::link
