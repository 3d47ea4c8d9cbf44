#pragma once
// A connection after a streaming request (watch) was answered: a one-way
// stream of JSON lines to the client, until the client hangs up or falls too
// far behind (doc/control-protocol.md). Lives on the loop, as the connection.

#include "control/Json.hxx"

#include <memory>

namespace pigeon::control {

class Feed {
public:
    // Queues `line` for the client, after the request's reply. A client that
    // leaves more than the server's limit unread gets one last notice
    // (`too-slow`) and is let go. False once the feed has ended, for that or
    // because the client hung up: send no more. Never throws.
    virtual bool Send(const Json& line) noexcept = 0;
    // Keeps `resource` (the subscription that feeds it) until the feed ends,
    // then lets it go: the feed's end is the subscription's.
    virtual void Keep(std::shared_ptr<void> resource) noexcept = 0;

protected:
    ~Feed() = default;
};

} // namespace pigeon::control
