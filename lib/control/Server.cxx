#include "control/Server.hxx"

#include "control/Error.hxx"
#include "util/Log.hxx"

#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <memory>
#include <utility>

namespace pigeon::control {
namespace asio = boost::asio;
using Local = asio::local::stream_protocol;

namespace {

std::string Dump(const Json& reply)
{
    // Replace rather than throw on invalid UTF-8 coming back out of the store.
    return reply.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool PeerIsUs(Local::socket& socket) noexcept
{
    ucred credentials{};
    socklen_t size = sizeof(credentials);
    if (getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0)
        return false;
    return credentials.uid == geteuid();
}

// One connected client: read a line, answer it, repeat until EOF or idle.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(Local::socket socket, const Server::Handler& handler, const ServerLimits& limits)
        : socket_(std::move(socket)), timer_(socket_.get_executor()), handler_(handler),
          limits_(limits), buffer_(limits.max_request_bytes)
    {
    }

    void Start() { ReadRequest(); }

private:
    void ReadRequest()
    {
        timer_.expires_after(std::chrono::seconds(limits_.idle_timeout_seconds));
        timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec)
                self->socket_.close(ec); // idle client: let it go
        });
        asio::async_read_until(
            socket_, buffer_, '\n',
            [self = shared_from_this()](boost::system::error_code ec, std::size_t size) {
                self->OnRequest(ec, size);
            });
    }

    void OnRequest(boost::system::error_code ec, std::size_t size)
    {
        timer_.cancel();
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
        HandleLine(handler_, line, [self = shared_from_this()](std::string reply) {
            self->Reply(std::move(reply), true);
        });
    }

    // Reads and throws away input up to the next newline, in fixed-size
    // pieces, so an over-long request costs no memory.
    void DiscardRestOfLine()
    {
        timer_.expires_after(std::chrono::seconds(limits_.idle_timeout_seconds));
        timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec)
                self->socket_.close(ec); // an endless line is an idle client too
        });
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
                self->Reply(ErrorReply("bad-request", "request too long").dump(), true);
            });
    }

    void Reply(std::string text, bool keep_going)
    {
        reply_ = std::move(text);
        reply_ += '\n';
        asio::async_write(
            socket_, asio::buffer(reply_),
            [self = shared_from_this(), keep_going](boost::system::error_code ec, std::size_t) {
                if (!ec && keep_going)
                    self->ReadRequest();
            });
    }

    Local::socket socket_;
    asio::steady_timer timer_;
    const Server::Handler& handler_;
    const ServerLimits& limits_;
    asio::streambuf buffer_;
    std::array<char, 65536> scratch_;
    std::string reply_;
};

// True if a live daemon answers on `path`.
bool SomeoneListens(asio::io_context& io, const std::filesystem::path& path)
{
    Local::socket probe(io);
    boost::system::error_code ec;
    probe.connect(Local::endpoint(path.string()), ec);
    return !ec;
}

} // namespace

Json OkReply(Json result)
{
    return {{"ok", true}, {"result", std::move(result)}};
}

Json ErrorReply(const std::string& code, const std::string& message)
{
    return {{"ok", false}, {"error", code}, {"message", message}};
}

void HandleLine(const Server::Handler& handler, std::string_view line,
                std::function<void(std::string)> respond)
{
    Json request;
    try {
        request = Json::parse(line);
    } catch (const Json::exception&) {
        respond(Dump(ErrorReply("bad-request", "request is not valid JSON")));
        return;
    }
    if (!request.is_object() || !request.contains("cmd") || !request["cmd"].is_string()) {
        respond(Dump(ErrorReply("bad-request", "request must be an object with a string \"cmd\"")));
        return;
    }
    // Whatever happens, the client gets exactly one reply.
    auto answered = std::make_shared<bool>(false);
    auto once = [answered, respond](Json reply) {
        if (!std::exchange(*answered, true))
            respond(Dump(reply));
    };
    try {
        handler(request, once);
    } catch (const RequestError& e) {
        once(ErrorReply(e.Code(), e.what()));
    } catch (const Json::exception& e) {
        once(ErrorReply("bad-request", std::string("malformed request: ") + e.what()));
    } catch (const std::exception& e) {
        log::Error("control", std::string("request failed: ") + e.what());
        once(ErrorReply("internal", e.what()));
    }
}

Server::Server(asio::io_context& io, std::filesystem::path path, Handler handler,
               ServerLimits limits)
    : io_(io), path_(std::move(path)), handler_(std::move(handler)), limits_(limits), acceptor_(io)
{
    if (SomeoneListens(io_, path_))
        throw std::runtime_error("another pigeond already answers on " + path_.string());
    std::filesystem::remove(path_); // stale socket of a daemon that died

    // The socket is born 0600: set the umask around bind() instead of a racy chmod after.
    const mode_t old_mask = umask(0177);
    boost::system::error_code ec;
    acceptor_.open(Local(), ec);
    if (!ec)
        acceptor_.bind(Local::endpoint(path_.string()), ec);
    umask(old_mask);
    if (!ec)
        acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::system_error(ec, "cannot listen on " + path_.string());
    Accept();
}

Server::~Server()
{
    Close();
}

void Server::Close() noexcept
{
    if (!acceptor_.is_open())
        return;
    boost::system::error_code ec;
    acceptor_.close(ec);
    std::error_code remove_error; // nothing to do about a socket file we cannot remove
    std::filesystem::remove(path_, remove_error);
}

void Server::Accept()
{
    acceptor_.async_accept([this](boost::system::error_code ec, Local::socket socket) {
        if (ec == asio::error::operation_aborted)
            return; // closed
        if (!ec) {
            if (PeerIsUs(socket))
                std::make_shared<Session>(std::move(socket), handler_, limits_)->Start();
            else
                log::Warning("control", "refused a connection from another user");
        } else {
            log::Warning("control", "accept failed: " + ec.message());
        }
        Accept();
    });
}

} // namespace pigeon::control
