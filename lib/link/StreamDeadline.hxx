#pragma once
// When a link-local stream has waited long enough, and for what (pure: the
// caller gives the time and the bytes). Three clocks:
// - identification: both stream headers must have crossed (and an inbound
//   peer been found at an address of the instance it claims) within a few
//   seconds of the connection;
// - each stanza, counted from its first byte that is not whitespace, must be
//   complete within a grace period plus one second per `min_rate` bytes it
//   has so far: a peer that trickles one byte a second is cut off, a large
//   stanza at any sane speed is not;
// - between stanzas, the idle timeout runs from the last complete stanza,
//   not from the last byte, so whitespace alone keeps nothing open.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

namespace pigeon::link {

struct DeadlineRules {
    std::chrono::seconds identify{5};
    std::chrono::seconds idle{60};
    std::chrono::seconds stanza_grace{10};
    std::size_t min_rate = 1024; // bytes per second, > 0
};

class StreamDeadline {
public:
    using Clock = std::chrono::steady_clock;
    enum class Reason { Identify, Stanza, Idle };
    struct Due {
        Clock::time_point when;
        Reason reason;
    };

    StreamDeadline(const DeadlineRules& rules, Clock::time_point start) noexcept;

    // `chunk` arrived at `now`; `completed` whether it completed a stream
    // header or a stanza (the parser said so).
    void OnBytes(Clock::time_point now, std::string_view chunk, bool completed) noexcept;
    // Both headers have crossed: the identification clock stops.
    void OnIdentified() noexcept { identified_ = true; }
    bool InStanza() const noexcept { return stanza_start_.has_value(); }
    // The earliest deadline as things stand; it only moves later with more bytes.
    Due Next() const noexcept;

private:
    DeadlineRules rules_;
    Clock::time_point start_;
    Clock::time_point last_complete_;
    std::optional<Clock::time_point> stanza_start_; // the first byte of one not yet complete
    std::size_t stanza_bytes_ = 0;
    bool identified_ = false;
};

} // namespace pigeon::link
