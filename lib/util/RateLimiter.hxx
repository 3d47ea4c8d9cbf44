#pragma once
// Decides which of a run of repeated events to let through, per key: a
// burst at once, then a steady rate (a token bucket per key), counting what
// it held back so that the next event let through can say so. It keeps at
// most `max_keys` keys: a caller whose keys come from a peer cannot grow it.
// Pure: the caller gives the time.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace pigeon {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    struct Verdict {
        bool pass = true;
        // Events of this key held back since the last one let through; only
        // set when `pass`, and then counted as told.
        std::uint64_t suppressed = 0;
    };

    // `burst` events at once, then `per_second` on average. Both > 0.
    RateLimiter(double burst, double per_second, std::size_t max_keys = 1024) noexcept;

    // Whether an event of `key` at `now` may pass. Throws std::bad_alloc only.
    Verdict Check(const std::string& key, Clock::time_point now);
    // Events held back since they last passed, for every key that has some;
    // each is then counted as told. For a summary when the events stop.
    std::map<std::string, std::uint64_t> TakeSuppressed();

private:
    struct Bucket {
        double tokens = 0;
        Clock::time_point refilled;
        std::uint64_t suppressed = 0;
    };

    void Refill(Bucket& bucket, Clock::time_point now) const noexcept;
    // Makes room for one more key: forgets the buckets that are full again
    // (nothing to remember), or else all of them.
    void MakeRoom(Clock::time_point now) noexcept;

    double burst_;
    double per_second_;
    std::size_t max_keys_;
    std::map<std::string, Bucket> buckets_;
};

} // namespace pigeon
