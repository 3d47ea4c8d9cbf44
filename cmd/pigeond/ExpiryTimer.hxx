#pragma once
// Gives up what expired (issue 11): our undelivered messages become
// "expired", carried copies are deleted, payload and all. One timer waits for
// the earliest expiry in the store, so an idle daemon wakes only when
// something is due; whoever adds something that may expire sooner says so
// (Rearm).

#include "store/Store.hxx"
#include "util/Alive.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/system_timer.hpp>

#include <optional>

namespace pigeon {

class EventBus;

class ExpiryTimer {
public:
    // Acts on what is already due at once (from the loop). `events` may be null.
    ExpiryTimer(boost::asio::io_context& io, store::Store& store, EventBus* events);

    // Something was queued or taken on that may expire before what the timer
    // waits for: look at the store again. Never throws.
    void Rearm() noexcept;

private:
    void Wait(UnixMs due);
    void Fire() noexcept;

    boost::asio::system_timer timer_; // wall-clock: expiries are wall-clock times
    store::Store& store_;
    EventBus* events_;
    std::optional<UnixMs> due_; // what the timer waits for
    Alive alive_;               // last: gone before anything above
};

} // namespace pigeon
