#pragma once
// When to report changes that come in bursts (a link coming up brings its
// addresses and routes a few milliseconds apart): the first change at once;
// the rest of a burst once no change has come for `quiet`; and, while
// changes never stop, at least once every `most`. No clock of its own: the
// caller says what time it is and sets a timer for `wake`.

#include <chrono>
#include <optional>

namespace pigeon::net {

class ChangeBurst {
public:
    using Clock = std::chrono::steady_clock;

    struct Step {
        bool call = false;                     // report the changes now
        std::optional<Clock::time_point> wake; // then call OnWake then; none: idle
    };

    ChangeBurst(Clock::duration quiet, Clock::duration most) noexcept;

    // A change came at `now`.
    Step OnChange(Clock::time_point now) noexcept;

    // The timer of the last Step went off at `now`.
    Step OnWake(Clock::time_point now) noexcept;

private:
    Clock::duration quiet_;
    Clock::duration most_;
    bool active_ = false;      // a call was made and the burst is not over
    bool pending_ = false;     // changes came since that call
    Clock::time_point called_; // when that call was made
    Clock::time_point wake_;   // when the burst is next looked at
};

} // namespace pigeon::net
