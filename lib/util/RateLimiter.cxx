#include "util/RateLimiter.hxx"

#include <algorithm>
#include <utility>

namespace pigeon {

RateLimiter::RateLimiter(double burst, double per_second, std::size_t max_keys) noexcept
    : burst_(burst), per_second_(per_second), max_keys_(std::max<std::size_t>(max_keys, 1))
{
}

void RateLimiter::Refill(Bucket& bucket, Clock::time_point now) const noexcept
{
    if (now <= bucket.refilled)
        return;
    const std::chrono::duration<double> elapsed = now - bucket.refilled;
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed.count() * per_second_);
    bucket.refilled = now;
}

void RateLimiter::MakeRoom(Clock::time_point now) noexcept
{
    for (auto it = buckets_.begin(); it != buckets_.end();) {
        Refill(it->second, now);
        if (it->second.suppressed == 0 && it->second.tokens >= burst_)
            it = buckets_.erase(it);
        else
            ++it;
    }
    if (buckets_.size() >= max_keys_)
        buckets_.clear(); // a flood of distinct keys: start again rather than grow
}

RateLimiter::Verdict RateLimiter::Check(const std::string& key, Clock::time_point now)
{
    auto it = buckets_.find(key);
    if (it == buckets_.end()) {
        if (buckets_.size() >= max_keys_)
            MakeRoom(now);
        it = buckets_.emplace(key, Bucket{burst_, now, 0}).first;
    }
    Bucket& bucket = it->second;
    Refill(bucket, now);
    if (bucket.tokens < 1) {
        ++bucket.suppressed;
        return {false, 0};
    }
    bucket.tokens -= 1;
    return {true, std::exchange(bucket.suppressed, 0)};
}

std::map<std::string, std::uint64_t> RateLimiter::TakeSuppressed()
{
    std::map<std::string, std::uint64_t> taken;
    for (auto& [key, bucket] : buckets_)
        if (bucket.suppressed > 0)
            taken.emplace(key, std::exchange(bucket.suppressed, 0));
    return taken;
}

} // namespace pigeon
