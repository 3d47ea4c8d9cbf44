#include "control/Client.hxx"

#include "control/Error.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

namespace pigeon::control {
namespace asio = boost::asio;
using Local = asio::local::stream_protocol;

struct Client::Impl {
    asio::io_context io;
    Local::socket socket{io};
    asio::streambuf buffer;
};

Client::Client(const std::filesystem::path& socket_path) : impl_(std::make_unique<Impl>())
{
    boost::system::error_code ec;
    impl_->socket.connect(Local::endpoint(socket_path.string()), ec);
    if (ec)
        throw DaemonUnavailable::NotRunning(socket_path.string(), ec.message());
}

Client::~Client() = default;

Json Client::Call(const Json& request)
{
    std::string line;
    try {
        line = request.dump() + '\n';
    } catch (const Json::type_error&) {
        throw RequestError("bad-request", "the text given is not valid UTF-8");
    }
    asio::write(impl_->socket, asio::buffer(line));
    boost::system::error_code ec;
    const std::size_t size = asio::read_until(impl_->socket, impl_->buffer, '\n', ec);
    if (ec)
        throw std::runtime_error("pigeond closed the connection: " + ec.message());
    std::string text(asio::buffers_begin(impl_->buffer.data()),
                     asio::buffers_begin(impl_->buffer.data()) + std::ptrdiff_t(size));
    impl_->buffer.consume(size);
    return ResultOf(text);
}

Json ResultOf(std::string_view reply_line)
{
    Json reply;
    try {
        reply = ParseLine(reply_line);
    } catch (const Json::exception&) {
        throw std::runtime_error("pigeond sent a reply that is not JSON");
    }
    if (reply.value("ok", false))
        return reply.value("result", Json());
    throw RequestError(reply.value("error", "internal"),
                       reply.value("message", "pigeond refused the request"));
}

} // namespace pigeon::control
