#pragma once
// How a request handler answers: call it once with the reply. A streaming
// request (control::Reply::Stream) first opens the connection's Feed, which
// carries its lines after the reply.

#include "control/Feed.hxx"
#include "control/Json.hxx"

#include <functional>
#include <memory>

namespace pigeon::control {

class Respond {
public:
    using Reply = std::function<void(Json reply)>;
    using Opener = std::function<std::shared_ptr<Feed>()>;

    // `reply` sends the reply; `open` turns the connection into a feed, or
    // is empty where the connection cannot stream (a test without a socket).
    explicit Respond(Reply reply, Opener open = {}) noexcept
        : reply_(std::move(reply)), open_(std::move(open))
    {
    }

    // Sends a reply made by OkReply or ErrorReply. Call it exactly once.
    void operator()(Json reply) const { reply_(std::move(reply)); }

    // Before replying to a streaming request: from the reply on, the
    // connection reads no more requests and carries what the feed is given.
    // Null where the connection cannot stream. Throws std::bad_alloc.
    std::shared_ptr<Feed> OpenFeed() const { return open_ ? open_() : nullptr; }

private:
    Reply reply_;
    Opener open_;
};

} // namespace pigeon::control
