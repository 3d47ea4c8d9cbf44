#include "control/EventStream.hxx"

#include "control/Client.hxx"
#include "control/Error.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <csignal>

namespace pigeon::control {
namespace asio = boost::asio;
using Local = asio::local::stream_protocol;

struct EventStream::Impl {
    asio::io_context io;
    Local::socket socket{io};
    asio::streambuf buffer;
    asio::steady_timer timer{io};
    asio::signal_set signals{io, SIGINT, SIGTERM};
    bool interrupted = false;
    bool reading = false; // a read is under way
    bool line = false;    // the read found a whole line
    bool closed = false;  // the read found the end
    bool timed_out = false;

    void Read()
    {
        reading = true;
        asio::async_read_until(socket, buffer, '\n',
                               [this](boost::system::error_code ec, std::size_t) {
                                   reading = false;
                                   (ec ? closed : line) = true;
                               });
    }

    // The next line, without its newline; nullopt if something else came first.
    std::optional<std::string> Wait(std::optional<Clock::time_point> deadline)
    {
        timed_out = false;
        if (deadline) {
            timer.expires_at(*deadline);
            timer.async_wait([this](boost::system::error_code ec) { timed_out = !ec; });
        }
        if (!line && !reading && !closed)
            Read();
        while (!line && !closed && !interrupted && !timed_out)
            io.run_one();
        timer.cancel();
        if (!line)
            return std::nullopt;
        line = false;
        std::istream in(&buffer);
        std::string text;
        std::getline(in, text);
        if (buffer.size() > 0 &&
            std::find(asio::buffers_begin(buffer.data()), asio::buffers_end(buffer.data()), '\n') !=
                asio::buffers_end(buffer.data()))
            line = true; // the next one is already here
        return text;
    }
};

EventStream::EventStream(const std::filesystem::path& socket_path) : impl_(std::make_unique<Impl>())
{
    impl_->signals.async_wait([this](boost::system::error_code ec, int) {
        if (!ec)
            impl_->interrupted = true;
    });
    boost::system::error_code ec;
    impl_->socket.connect(Local::endpoint(socket_path.string()), ec);
    if (ec)
        throw DaemonUnavailable::NotRunning(socket_path.string(), ec.message());
    const std::string request = Json{{"cmd", "watch"}}.dump() + '\n';
    asio::write(impl_->socket, asio::buffer(request), ec);
    const auto reply = ec ? std::nullopt : impl_->Wait(std::nullopt);
    if (!reply)
        throw std::runtime_error(impl_->interrupted ? "interrupted"
                                                    : "pigeond closed the connection");
    ResultOf(*reply);
}

EventStream::~EventStream() = default;

std::variant<Json, EventStream::Stop> EventStream::Next(std::optional<Clock::time_point> deadline)
{
    const auto text = impl_->Wait(deadline);
    if (!text)
        return impl_->interrupted ? Stop::Interrupted
               : impl_->closed    ? Stop::Closed
                                  : Stop::TimedOut;
    Json event;
    try {
        event = ParseLine(*text);
    } catch (const Json::exception&) {
        throw std::runtime_error("pigeond sent an event that is not JSON");
    }
    if (event.contains("ok"))
        ResultOf(*text); // the watch ended with a notice: throws it
    return event;
}

} // namespace pigeon::control
