#pragma once
// What a carrier's answer to one of our carry requests means for the next
// ones (doc/carry-protocol.md, "Refusals and retries"), decided from the
// answer alone so that the rules can be tested in one place. A refusal is
// either for good, until the carrier reappears (RFC 6120 types cancel, auth,
// modify), or for now (type wait: its quota or its disk is full), and then
// we ask again after a delay that doubles with each refusal in a row.

#include "xml/Element.hxx"

#include <chrono>
#include <string>
#include <vector>

namespace pigeon::link {

enum class Refusal {
    None,   // something was taken, or nothing of ours was answered
    Final,  // ask no more until it reappears
    ForNow, // ask again after RetryDelay()
};

struct CarryAnswer {
    std::vector<std::string> accepted; // our origin-ids it stored or already held
    std::vector<bool> stored;          // for each of `accepted`: stored now, not held already
    int refused = 0;                   // our items it refused one by one
    Refusal refusal = Refusal::None;
    // Something was taken and the rest refused for now: offer that rest
    // again after RetryDelay(), the backoff going on.
    bool retry_rest = false;
    std::string condition; // why, when refused: the RFC 6120 condition
};

// Reads `iq`, an answer to a carry request of ours from `origin`. An iq error
// refuses the whole request, for now when its type is wait. A result refuses
// when nothing of ours was taken and something was refused, for now when
// every refusal was resource-constraint (whose type is wait).
CarryAnswer ReadCarryAnswer(const xml::Element& iq, const std::string& origin);

// How long to wait before offering again to a carrier that refused for now
// `earlier` times in a row before this refusal: 2 s doubling up to 5 min, of
// which up to a quarter is taken off as `random` (in [0, 1)) says, so that
// origins refused together do not come back together.
std::chrono::milliseconds RetryDelay(int earlier, double random) noexcept;
// For the log: "; asking again in N s" (rounded up) after a refusal for now.
std::string AskingAgainIn(std::chrono::milliseconds delay);

} // namespace pigeon::link
