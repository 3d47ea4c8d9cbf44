#include "control/Server.hxx"

#include "control/Error.hxx"
#include "control/Session.hxx"
#include "util/Log.hxx"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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
    : io_(io), path_(std::move(path)), handler_(std::move(handler)), limits_(limits), acceptor_(io),
      backoff_(io.get_executor())
{
    // An eighth of the descriptors: the link-local streams may take half.
    limits_.max_sessions = std::clamp<std::size_t>(AcceptBackoff::DescriptorLimit() / 8, 4,
                                                   std::max<std::size_t>(limits_.max_sessions, 4));
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
    backoff_.Cancel();
    boost::system::error_code ec;
    acceptor_.close(ec);
    std::error_code remove_error; // nothing to do about a socket file we cannot remove
    std::filesystem::remove(path_, remove_error);
}

void Server::Accept()
{
    acceptor_.async_accept([this](boost::system::error_code ec, Local::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open())
            return; // closed
        if (ec && AcceptBackoff::OutOfDescriptors(ec) && DropIdle()) {
            Accept(); // an idle client of ours held the descriptor this one needs
            return;
        }
        if (ec) {
            // Never at once: the client is still queued and would fail again.
            const auto wait = backoff_.Failed(ec, acceptor_.native_handle(), [this] { Accept(); });
            log::Warning("control", "accept failed: " + ec.message() + "; accepting again in " +
                                        std::to_string(wait.count()) + " ms");
            return;
        }
        backoff_.Succeeded();
        if (!PeerIsUs(socket)) {
            log::Warning("control", "refused a connection from another user");
        } else if (!MakeRoom()) {
            log::Warning("control",
                         "refused a client: " + std::to_string(sessions_.size()) + " are busy");
        } else {
            try {
                auto session = std::make_shared<Session>(std::move(socket), handler_, limits_);
                sessions_.push_back(session);
                session->Start();
            } catch (const std::exception& e) {
                log::Error("control", std::string("cannot serve a client: ") + e.what());
            }
        }
        Accept();
    });
}

bool Server::MakeRoom() noexcept
{
    sessions_.remove_if([](const auto& session) { return session.expired(); });
    return sessions_.size() < limits_.max_sessions || DropIdle();
}

bool Server::DropIdle() noexcept
{
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
        const auto session = it->lock();
        if (session && session->Idle()) {
            session->Drop();
            sessions_.erase(it);
            return true;
        }
    }
    return false;
}

} // namespace pigeon::control
