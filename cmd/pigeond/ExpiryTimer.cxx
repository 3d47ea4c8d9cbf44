#include "ExpiryTimer.hxx"

#include "util/EventBus.hxx"
#include "util/Log.hxx"

#include <chrono>

namespace pigeon {
namespace {

// After a failed pass (the store could not be written), the next try.
constexpr UnixMs kRetryMs = 60 * 1000;

} // namespace

ExpiryTimer::ExpiryTimer(boost::asio::io_context& io, store::Store& store, EventBus* events)
    : timer_(io), store_(store), events_(events)
{
    Rearm();
}

void ExpiryTimer::Rearm() noexcept
{
    try {
        const auto next = store_.NextExpiry();
        if (!next) {
            due_.reset();
            timer_.cancel();
            return;
        }
        if (due_ && *due_ <= *next)
            return; // the timer fires first anyway and looks again then
        Wait(*next);
    } catch (const std::exception& e) {
        log::Error("expiry", std::string("cannot read the next expiry: ") + e.what());
        Wait(NowMs() + kRetryMs);
    }
}

void ExpiryTimer::Wait(UnixMs due)
{
    due_ = due;
    timer_.expires_at(std::chrono::system_clock::time_point(std::chrono::milliseconds(due)));
    timer_.async_wait([this, alive = alive_.Watch()](boost::system::error_code ec) {
        if (ec || alive.Gone())
            return; // cancelled, or moved to another time
        Fire();
    });
}

void ExpiryTimer::Fire() noexcept
{
    due_.reset();
    try {
        const auto expired = store_.Expire(NowMs());
        for (const auto& id : expired.outbox)
            log::Info("expiry", id + " expired undelivered");
        if (expired.carried > 0)
            log::Info("expiry", "dropped " + std::to_string(expired.carried) +
                                    " carried message(s) past their expiry");
        if (!expired.outbox.empty() || expired.carried > 0)
            Publish(events_, [&] {
                return Event{"expired", 0, {{"count", expired.carried}, {"ids", expired.outbox}}};
            });
    } catch (const std::exception& e) {
        log::Error("expiry", std::string("cannot drop what expired: ") + e.what());
        Wait(NowMs() + kRetryMs);
        return;
    }
    Rearm();
}

} // namespace pigeon
