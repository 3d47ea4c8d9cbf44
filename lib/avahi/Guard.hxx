#pragma once
// Asio may still run a completion after its timer was cancelled or destroyed
// (the wait had already finished and the handler was queued). Handlers that
// point back at their owner capture a Token and check it first.

#include <memory>

namespace pigeon::avahi {

class Guard {
public:
    using Token = std::weak_ptr<void>;

    Guard() = default;
    // Each owner has its own life; copying would share it.
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

    Token Get() const noexcept { return alive_; }

private:
    std::shared_ptr<void> alive_ = std::make_shared<char>();
};

} // namespace pigeon::avahi
