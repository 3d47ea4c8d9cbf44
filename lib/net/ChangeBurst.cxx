#include "net/ChangeBurst.hxx"

#include <algorithm>

namespace pigeon::net {

ChangeBurst::ChangeBurst(Clock::duration quiet, Clock::duration most) noexcept
    : quiet_(quiet), most_(most)
{
}

ChangeBurst::Step ChangeBurst::OnChange(Clock::time_point now) noexcept
{
    if (!active_) {
        active_ = true;
        pending_ = false;
        called_ = now;
        wake_ = now + quiet_;
        return {true, wake_};
    }
    // Folded into one call once things are quiet, but never put off past `most`.
    pending_ = true;
    wake_ = std::min(now + quiet_, called_ + most_);
    return {false, wake_};
}

ChangeBurst::Step ChangeBurst::OnWake(Clock::time_point now) noexcept
{
    if (!active_)
        return {};
    if (now < wake_)
        return {false, wake_};
    if (!pending_) {
        active_ = false;
        return {};
    }
    pending_ = false;
    called_ = now;
    wake_ = now + quiet_;
    return {true, wake_};
}

} // namespace pigeon::net
