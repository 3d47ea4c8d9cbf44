#include "link/ReplyDeadline.hxx"

#include "link/HandshakeLog.hxx"
#include "link/Stream.hxx"

namespace pigeon::link {

ReplyDeadline::ReplyDeadline(boost::asio::io_context& io, store::Store& store,
                             std::chrono::milliseconds timeout) noexcept
    : timer_(io), store_(store), timeout_(timeout)
{
}

void ReplyDeadline::Arm(Stream& stream, std::string what)
{
    timer_.expires_after(timeout_);
    timer_.async_wait([this, alive = alive_.Watch(), stream = &stream,
                       stream_alive = stream.Watch(),
                       what = std::move(what)](boost::system::error_code ec) {
        if (ec || alive.Gone() || stream_alive.Gone() || !stream->IsOpen())
            return;
        LogHandshake(store_, stream->PeerInstance(), "timeout", "no answer to our " + what);
        stream->Close("connection-timeout");
    });
}

void ReplyDeadline::Disarm() noexcept
{
    timer_.cancel();
}

} // namespace pigeon::link
