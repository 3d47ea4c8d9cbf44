#include "dns/Resolver.hxx"

#include "dns/Error.hxx"
#include "util/BorrowedDescriptor.hxx"
#include "util/CallOut.hxx"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <chrono>
#include <map>

namespace pigeon::dns {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr std::string_view kLog = "dns";

void LibraryInit()
{
    // Once per process; ares_library_cleanup is left to process exit.
    static const int status = ares_library_init(ARES_LIB_INIT_ALL);
    if (status != ARES_SUCCESS)
        throw std::system_error(MakeErrorCode(status), "ares_library_init");
}

std::vector<SrvRecord> ParseSrv(const unsigned char* answer, int length, int& status)
{
    std::vector<SrvRecord> records;
    ares_srv_reply* reply = nullptr;
    status = ares_parse_srv_reply(answer, length, &reply);
    for (const ares_srv_reply* r = reply; r != nullptr; r = r->next)
        records.push_back({r->host, r->port, r->priority, r->weight, false});
    ares_free_data(reply);
    if (status == ARES_SUCCESS && records.empty())
        status = ARES_ENODATA;
    return records;
}

std::vector<tcp::endpoint> Endpoints(const ares_addrinfo* info, std::uint16_t port)
{
    std::vector<tcp::endpoint> out;
    for (const ares_addrinfo_node* n = info != nullptr ? info->nodes : nullptr; n != nullptr;
         n = n->ai_next) {
        if (n->ai_family == AF_INET6) {
            const auto* a = reinterpret_cast<const sockaddr_in6*>(n->ai_addr);
            asio::ip::address_v6::bytes_type bytes;
            std::copy(a->sin6_addr.s6_addr, a->sin6_addr.s6_addr + 16, bytes.begin());
            out.emplace_back(asio::ip::address_v6(bytes, a->sin6_scope_id), port);
        } else if (n->ai_family == AF_INET) {
            const auto* a = reinterpret_cast<const sockaddr_in*>(n->ai_addr);
            out.emplace_back(asio::ip::address_v4(ntohl(a->sin_addr.s_addr)), port);
        }
    }
    return out;
}

} // namespace

struct Resolver::Impl : std::enable_shared_from_this<Impl> {
    // A socket c-ares asked us to watch; never closed by Asio.
    struct Socket {
        Socket(asio::io_context& io, ares_socket_t s) : descriptor(io, s), fd(s) {}
        void Release() noexcept { descriptor.Release(); }
        util::BorrowedDescriptor descriptor;
        ares_socket_t fd;
        bool want_read = false, want_write = false;
        bool reading = false, writing = false;
    };

    // What a query's C callback gets: who to tell, and whether anyone still listens.
    template <typename Done> struct Query {
        std::weak_ptr<Impl> owner;
        Done done;
        std::uint16_t port = 0;
    };

    explicit Impl(asio::io_context& io_context) : io(io_context), timer(io_context) {}

    void Setup();
    void OnSocketState(ares_socket_t fd, bool readable, bool writable) noexcept;
    void Arm(const std::shared_ptr<Socket>& socket) noexcept;
    void Process(ares_socket_t read_fd, ares_socket_t write_fd) noexcept;
    void Reschedule() noexcept;

    // c-ares may answer from within ares_query itself (a resolver it cannot reach): the
    // answer always goes out from the loop, never from inside QuerySrv or LookupHost.
    template <typename Done, typename Result> void Complete(Done done, Result result, int status)
    {
        const std::error_code ec =
            status == ARES_SUCCESS ? std::error_code() : MakeErrorCode(status);
        asio::post(io, [owner = weak_from_this(), done = std::move(done),
                        result = std::move(result), ec]() mutable {
            if (const auto self = owner.lock(); self && !self->closing)
                CallOut(kLog, done, std::move(result), ec);
        });
    }

    static void SocketState(void* data, ares_socket_t fd, int readable, int writable) noexcept
    {
        static_cast<Impl*>(data)->OnSocketState(fd, readable != 0, writable != 0);
    }

    asio::io_context& io;
    asio::steady_timer timer;
    ares_channel channel = nullptr;
    std::map<ares_socket_t, std::shared_ptr<Socket>> sockets;
    bool closing = false;
};

void Resolver::Impl::Setup()
{
    LibraryInit();
    ares_options options{};
    options.sock_state_cb = &SocketState;
    options.sock_state_cb_data = this;
    if (const int status = ares_init_options(&channel, &options, ARES_OPT_SOCK_STATE_CB);
        status != ARES_SUCCESS)
        throw std::system_error(MakeErrorCode(status), "ares_init_options");
}

void Resolver::Impl::OnSocketState(ares_socket_t fd, bool readable, bool writable) noexcept
{
    if (closing)
        return;
    if (!readable && !writable) {
        if (const auto it = sockets.find(fd); it != sockets.end()) {
            it->second->Release();
            sockets.erase(it);
        }
        return;
    }
    try {
        auto it = sockets.find(fd);
        if (it == sockets.end())
            it = sockets.emplace(fd, std::make_shared<Socket>(io, fd)).first;
        it->second->want_read = readable;
        it->second->want_write = writable;
        Arm(it->second);
    } catch (const std::exception& e) {
        log::Error(kLog, std::string("cannot watch a resolver socket: ") + e.what());
    }
}

void Resolver::Impl::Arm(const std::shared_ptr<Socket>& socket) noexcept
{
    const std::weak_ptr<Impl> owner = weak_from_this();
    const auto wait = [&](bool& busy, asio::posix::stream_descriptor::wait_type type, bool read) {
        busy = true;
        socket->descriptor.async_wait(type, [socket, owner, &busy,
                                             read](const boost::system::error_code& ec) {
            busy = false;
            const auto self = owner.lock();
            if (ec || !self || self->sockets.find(socket->fd) == self->sockets.end())
                return;
            self->Process(read ? socket->fd : ARES_SOCKET_BAD, read ? ARES_SOCKET_BAD : socket->fd);
            if (self->sockets.contains(socket->fd))
                self->Arm(socket);
        });
    };
    if (socket->want_read && !socket->reading)
        wait(socket->reading, asio::posix::stream_descriptor::wait_read, true);
    if (socket->want_write && !socket->writing)
        wait(socket->writing, asio::posix::stream_descriptor::wait_write, false);
}

void Resolver::Impl::Process(ares_socket_t read_fd, ares_socket_t write_fd) noexcept
{
    const auto self = shared_from_this(); // a callback may drop the Resolver
    ares_process_fd(channel, read_fd, write_fd);
    if (!closing)
        Reschedule();
}

void Resolver::Impl::Reschedule() noexcept
{
    timeval tv{};
    if (ares_timeout(channel, nullptr, &tv) == nullptr) {
        timer.cancel();
        return;
    }
    timer.expires_after(std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
    timer.async_wait([owner = weak_from_this()](const boost::system::error_code& ec) {
        if (const auto self = owner.lock(); !ec && self && !self->closing)
            self->Process(ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    });
}

Resolver::Resolver(asio::io_context& io) : impl_(std::make_shared<Impl>(io))
{
    impl_->Setup();
}

Resolver::~Resolver()
{
    impl_->closing = true;
    impl_->timer.cancel();
    for (auto& [fd, socket] : impl_->sockets)
        socket->Release();
    impl_->sockets.clear();
    // Calls every pending callback with ARES_EDESTRUCTION; they see no owner and only free.
    ares_destroy(impl_->channel);
}

void Resolver::QuerySrv(const std::string& name, SrvDone done)
{
    using Q = Impl::Query<SrvDone>;
    auto* query = new Q{impl_, std::move(done), 0}; // owned by c-ares until its callback
    const auto callback = [](void* arg, int status, int, unsigned char* answer, int length) {
        std::unique_ptr<Q> q(static_cast<Q*>(arg));
        const auto owner = q->owner.lock();
        if (!owner || owner->closing)
            return;
        std::vector<SrvRecord> records;
        if (status == ARES_SUCCESS)
            records = ParseSrv(answer, length, status);
        owner->Complete(std::move(q->done), std::move(records), status);
    };
    ares_query(impl_->channel, name.c_str(), 1 /* IN */, 33 /* SRV */, callback, query);
    impl_->Reschedule();
}

void Resolver::LookupHost(const std::string& host, std::uint16_t port, HostDone done)
{
    using Q = Impl::Query<HostDone>;
    auto* query = new Q{impl_, std::move(done), port};
    const auto callback = [](void* arg, int status, int, ares_addrinfo* info) {
        std::unique_ptr<Q> q(static_cast<Q*>(arg));
        const auto owner = q->owner.lock();
        auto endpoints = Endpoints(info, q->port);
        ares_freeaddrinfo(info);
        if (!owner || owner->closing)
            return;
        if (status == ARES_SUCCESS && endpoints.empty())
            status = ARES_ENODATA;
        owner->Complete(std::move(q->done), std::move(endpoints), status);
    };
    ares_addrinfo_hints hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    ares_getaddrinfo(impl_->channel, host.c_str(), nullptr, &hints, callback, query);
    impl_->Reschedule();
}

} // namespace pigeon::dns
