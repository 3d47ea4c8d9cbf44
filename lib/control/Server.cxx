#include "control/Server.hxx"

#include "control/Error.hxx"
#include "control/Session.hxx"
#include "util/Log.hxx"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <utility>

namespace pigeon::control {
namespace asio = boost::asio;
using Local = asio::local::stream_protocol;

namespace {

bool PeerIsUs(Local::socket& socket) noexcept
{
    ucred credentials{};
    socklen_t size = sizeof(credentials);
    if (getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0)
        return false;
    return credentials.uid == geteuid();
}

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
                std::function<void(std::string)> respond, Respond::Opener open_feed)
{
    Json request;
    try {
        request = ParseLine(line);
    } catch (const JsonTooDeep& e) {
        respond(ToLine(ErrorReply("bad-request", std::string("request is ") + e.what())));
        return;
    } catch (const Json::exception&) {
        respond(ToLine(ErrorReply("bad-request", "request is not valid JSON")));
        return;
    }
    if (!request.is_object() || !request.contains("cmd") || !request["cmd"].is_string()) {
        respond(
            ToLine(ErrorReply("bad-request", "request must be an object with a string \"cmd\"")));
        return;
    }
    // Whatever happens, the client gets exactly one reply.
    auto answered = std::make_shared<bool>(false);
    auto once = [answered, respond](Json reply) {
        if (!std::exchange(*answered, true))
            respond(ToLine(reply));
    };
    try {
        handler(request, Respond(once, std::move(open_feed)));
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
