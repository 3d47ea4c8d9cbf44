#include "control/Session.hxx"

#include "util/Log.hxx"

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>

namespace pigeon::control {
namespace asio = boost::asio;

namespace {

// How long a dropped watcher's last notice may take to leave.
constexpr auto kNoticeGrace = std::chrono::seconds(10);

} // namespace

Session::Session(asio::local::stream_protocol::socket socket, const Server::Handler& handler,
                 const ServerLimits& limits)
    : socket_(std::move(socket)), timer_(socket_.get_executor()), handler_(handler),
      limits_(limits), buffer_(limits.max_request_bytes)
{
}

void Session::ArmIdleTimer()
{
    timer_.expires_after(std::chrono::seconds(limits_.idle_timeout_seconds));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec)
            self->Close(); // idle client, or an endless line: let it go
    });
}

void Session::ReadRequest()
{
    ArmIdleTimer();
    awaiting_request_ = buffer_.size() == 0;
    asio::async_read_until(
        socket_, buffer_, '\n',
        [self = shared_from_this()](boost::system::error_code ec, std::size_t size) {
            self->OnRequest(ec, size);
        });
}

void Session::OnRequest(boost::system::error_code ec, std::size_t size)
{
    timer_.cancel();
    awaiting_request_ = false;
    if (ec == asio::error::not_found) {
        // Longer than we accept: drop the rest of the line, then answer it.
        buffer_.consume(buffer_.size());
        DiscardRestOfLine();
        return;
    }
    if (ec)
        return; // EOF or closed: nothing to answer
    std::string line(asio::buffers_begin(buffer_.data()),
                     asio::buffers_begin(buffer_.data()) + std::ptrdiff_t(size) - 1);
    buffer_.consume(size);
    // The pending reply keeps the session alive while the answer is awaited.
    HandleLine(
        handler_, line, [self = shared_from_this()](std::string reply) { self->Reply(reply); },
        [self = shared_from_this()] { return self->OpenFeed(); });
}

// Reads and throws away input up to the next newline, in fixed-size pieces,
// so an over-long request costs no memory.
void Session::DiscardRestOfLine()
{
    ArmIdleTimer();
    socket_.async_read_some(
        asio::buffer(scratch_),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t size) {
            self->timer_.cancel();
            if (ec)
                return;
            const auto end = self->scratch_.begin() + std::ptrdiff_t(size);
            const auto newline = std::find(self->scratch_.begin(), end, '\n');
            if (newline == end) {
                self->DiscardRestOfLine();
                return;
            }
            // Whatever follows the newline is the start of the next request.
            const std::size_t rest = std::size_t(end - (newline + 1));
            asio::buffer_copy(self->buffer_.prepare(rest), asio::buffer(&*(newline + 1), rest));
            self->buffer_.commit(rest);
            self->Reply(ToLine(ErrorReply("bad-request", "request too long")));
        });
}

std::shared_ptr<Feed> Session::OpenFeed()
{
    feed_opened_ = true;
    return shared_from_this();
}

void Session::Reply(std::string text)
{
    if (mode_ == Mode::Ended)
        return;
    if (feed_opened_ && mode_ == Mode::Requests) {
        // The reply goes first, before any line the feed was given meanwhile.
        mode_ = Mode::Feed;
        queued_bytes_ += text.size() + 1;
        queue_.push_front(std::move(text) + '\n');
        AwaitHangUp();
    } else {
        Queue(std::move(text));
    }
    WriteQueued();
}

void Session::Queue(std::string line)
{
    line += '\n';
    queued_bytes_ += line.size();
    queue_.push_back(std::move(line));
}

void Session::WriteQueued()
{
    if (write_pending_ || queue_.empty())
        return;
    writing_.clear();
    for (const auto& line : queue_)
        writing_ += line;
    queue_.clear();
    queued_bytes_ = 0;
    write_pending_ = true;
    asio::async_write(socket_, asio::buffer(writing_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                          self->OnWritten(ec);
                      });
}

void Session::OnWritten(boost::system::error_code ec)
{
    write_pending_ = false;
    if (ec) {
        if (mode_ != Mode::Requests)
            End({});
        return; // a request's client that hung up: nothing more to do
    }
    switch (mode_) {
    case Mode::Requests:
        ReadRequest();
        break;
    case Mode::Feed:
        WriteQueued();
        break;
    case Mode::Ended:
        if (queue_.empty())
            Close();
        else
            WriteQueued();
        break;
    }
}

bool Session::Send(const Json& line) noexcept
{
    if (!feed_opened_ || mode_ == Mode::Ended)
        return false;
    try {
        std::string text = ToLine(line);
        if (queued_bytes_ + text.size() + 1 > limits_.max_feed_bytes) {
            End(ToLine(ErrorReply("too-slow", "this watch fell more than " +
                                                  std::to_string(limits_.max_feed_bytes) +
                                                  " bytes behind; pigeond ended it")));
            return false;
        }
        Queue(std::move(text));
        if (mode_ == Mode::Feed)
            WriteQueued();
        return true;
    } catch (const std::exception& e) {
        log::Warning("control", std::string("ending a watch: ") + e.what());
        End({});
        return false;
    }
}

void Session::Keep(std::shared_ptr<void> resource) noexcept
{
    kept_ = std::move(resource);
}

void Session::AwaitHangUp()
{
    socket_.async_read_some(asio::buffer(scratch_),
                            [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                                if (ec)
                                    self->End({}); // whatever was sent is ignored
                                else
                                    self->AwaitHangUp();
                            });
}

void Session::End(std::string notice) noexcept
{
    const bool ended = mode_ == Mode::Ended;
    mode_ = Mode::Ended;
    kept_.reset(); // the subscription, and with it the events, stop here
    queue_.clear();
    queued_bytes_ = 0;
    if (ended || notice.empty()) {
        Close();
        return;
    }
    log::Info("control", "a watcher fell too far behind: letting it go");
    try {
        Queue(std::move(notice));
        WriteQueued();
        timer_.expires_after(kNoticeGrace);
        timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec)
                self->Close(); // it does not read even that
        });
    } catch (const std::exception&) {
        Close();
    }
}

void Session::Close() noexcept
{
    boost::system::error_code ec;
    timer_.cancel();
    socket_.close(ec);
}

} // namespace pigeon::control
