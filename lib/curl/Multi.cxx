#include "curl/Multi.hxx"

#include "curl/Error.hxx"
#include "util/BorrowedDescriptor.hxx"
#include "util/Log.hxx"

#include <boost/asio/steady_timer.hpp>

#include <curl/curl.h>

#include <chrono>
#include <map>
#include <string>

namespace pigeon::curl {
namespace asio = boost::asio;

namespace {

constexpr std::string_view kLog = "curl";

void GlobalInit()
{
    // Once per process, before any other curl call; a function-local static is thread-safe.
    // curl_global_cleanup is left to process exit: other code may still hold handles.
    static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK)
        throw MakeError(code, "curl_global_init");
}

struct MultiDeleter {
    void operator()(CURLM* multi) const noexcept { curl_multi_cleanup(multi); }
};

} // namespace

struct Multi::Impl : std::enable_shared_from_this<Multi::Impl> {
    // One socket curl asked us to watch. Pending waits hold it by shared_ptr, so it outlives
    // curl's interest in it; owner is reset when curl forgets the socket.
    struct Socket {
        Socket(asio::io_context& io, curl_socket_t s) : descriptor(io, s), fd(s) {}
        // Takes the fd back from Asio, cancelling its waits, so that Asio never closes it.
        void Release() noexcept { descriptor.Release(); }

        util::BorrowedDescriptor descriptor;
        curl_socket_t fd;
        std::weak_ptr<Impl> owner;
        int wanted = 0; // CURL_POLL_IN and CURL_POLL_OUT bits
        bool reading = false;
        bool writing = false;
    };

    explicit Impl(asio::io_context& io_context) : io(io_context), timer(io_context) {}

    void Setup();
    void Close() noexcept;

    int OnSocket(curl_socket_t fd, int what) noexcept;
    void OnTimerRequest(long timeout_ms) noexcept;
    void Arm(const std::shared_ptr<Socket>& socket);
    void Action(curl_socket_t fd, int flags) noexcept;
    void ReadInfo() noexcept;

    static int SocketFunction(CURL*, curl_socket_t fd, int what, void* userp, void*) noexcept
    {
        return static_cast<Impl*>(userp)->OnSocket(fd, what);
    }
    static int TimerFunction(CURLM*, long timeout_ms, void* userp) noexcept
    {
        static_cast<Impl*>(userp)->OnTimerRequest(timeout_ms);
        return 0;
    }

    asio::io_context& io;
    asio::steady_timer timer;
    std::unique_ptr<CURLM, MultiDeleter> multi;
    std::map<curl_socket_t, std::shared_ptr<Socket>> sockets;
    bool closed = false;
};

void Multi::Impl::Setup()
{
    multi.reset(curl_multi_init());
    if (multi == nullptr)
        throw std::bad_alloc{};
    const auto set = [this](CURLMoption option, auto value) {
        const CURLMcode code = curl_multi_setopt(multi.get(), option, value);
        if (code != CURLM_OK)
            throw MakeError(code, "curl_multi_setopt");
    };
    set(CURLMOPT_SOCKETFUNCTION, &SocketFunction);
    set(CURLMOPT_SOCKETDATA, static_cast<void*>(this));
    set(CURLMOPT_TIMERFUNCTION, &TimerFunction);
    set(CURLMOPT_TIMERDATA, static_cast<void*>(this));
}

void Multi::Impl::Close() noexcept
{
    closed = true;
    for (auto& [fd, socket] : sockets) {
        socket->owner.reset();
        socket->Release();
    }
    sockets.clear();
    timer.cancel();
    // curl may call back while cleaning up; closed makes those calls no-ops.
    multi.reset();
}

int Multi::Impl::OnSocket(curl_socket_t fd, int what) noexcept
{
    if (closed)
        return 0;
    if (what == CURL_POLL_REMOVE) {
        if (const auto i = sockets.find(fd); i != sockets.end()) {
            i->second->owner.reset();
            i->second->Release();
            sockets.erase(i);
        }
        return 0;
    }
    try {
        auto i = sockets.find(fd);
        if (i == sockets.end()) {
            auto socket = std::make_shared<Socket>(io, fd);
            socket->owner = weak_from_this();
            i = sockets.emplace(fd, std::move(socket)).first;
        }
        i->second->wanted = what;
        Arm(i->second);
        return 0;
    } catch (const std::exception& e) {
        log::Error(kLog, std::string("cannot watch a socket: ") + e.what());
        sockets.erase(fd);
        return -1;
    }
}

// Starts the waits curl wants and that are not already pending. A wait curl no longer wants
// is left to complete and then ignored: Asio cannot cancel one direction alone.
void Multi::Impl::Arm(const std::shared_ptr<Socket>& socket)
{
    const auto on_ready = [socket](int flag) {
        return [socket, flag](const boost::system::error_code& ec) {
            (flag == CURL_CSELECT_IN ? socket->reading : socket->writing) = false;
            const auto impl = socket->owner.lock();
            if (impl == nullptr || impl->closed || ec == asio::error::operation_aborted)
                return;
            const int wanted = flag == CURL_CSELECT_IN ? CURL_POLL_IN : CURL_POLL_OUT;
            if ((socket->wanted & wanted) != 0)
                impl->Action(socket->fd, ec ? CURL_CSELECT_ERR : flag);
            // After an error, waiting again could spin; curl's own timeout ends the transfer.
            if (!ec && !impl->closed && !socket->owner.expired()) {
                try {
                    impl->Arm(socket);
                } catch (const std::exception& e) {
                    log::Error(kLog, std::string("cannot watch a socket: ") + e.what());
                }
            }
        };
    };
    if ((socket->wanted & CURL_POLL_IN) != 0 && !socket->reading) {
        socket->descriptor.async_wait(asio::posix::stream_descriptor::wait_read,
                                      on_ready(CURL_CSELECT_IN));
        socket->reading = true;
    }
    if ((socket->wanted & CURL_POLL_OUT) != 0 && !socket->writing) {
        socket->descriptor.async_wait(asio::posix::stream_descriptor::wait_write,
                                      on_ready(CURL_CSELECT_OUT));
        socket->writing = true;
    }
}

void Multi::Impl::OnTimerRequest(long timeout_ms) noexcept
{
    if (closed)
        return;
    if (timeout_ms < 0) {
        timer.cancel();
        return;
    }
    // Even a zero timeout goes through the loop: curl must not be re-entered from here.
    timer.expires_after(std::chrono::milliseconds(timeout_ms));
    timer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        const auto impl = weak.lock();
        if (ec || impl == nullptr || impl->closed)
            return;
        impl->Action(CURL_SOCKET_TIMEOUT, 0);
    });
}

void Multi::Impl::Action(curl_socket_t fd, int flags) noexcept
{
    int running = 0;
    const CURLMcode code = curl_multi_socket_action(multi.get(), fd, flags, &running);
    if (code != CURLM_OK)
        log::Error(kLog, std::string("curl_multi_socket_action: ") + curl_multi_strerror(code));
    ReadInfo();
}

void Multi::Impl::ReadInfo() noexcept
{
    // One message at a time: a completion may remove other transfers, and curl then drops
    // their queued messages.
    while (!closed) {
        int queued = 0;
        CURLMsg* message = curl_multi_info_read(multi.get(), &queued);
        if (message == nullptr)
            break;
        if (message->msg != CURLMSG_DONE)
            continue;
        CURL* easy = message->easy_handle;
        const CURLcode result = message->data.result;
        char* transfer = nullptr;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &transfer);
        curl_multi_remove_handle(multi.get(), easy);
        if (transfer != nullptr)
            static_cast<Transfer*>(static_cast<void*>(transfer))->OnTransferDone(result);
    }
}

Multi::Multi(asio::io_context& io) : impl_(std::make_shared<Impl>(io))
{
    GlobalInit();
    impl_->Setup();
}

Multi::~Multi()
{
    impl_->Close();
}

asio::io_context& Multi::IoContext() const noexcept
{
    return impl_->io;
}

void Multi::Add(void* easy, Transfer& transfer)
{
    CURLcode code = curl_easy_setopt(easy, CURLOPT_PRIVATE, static_cast<void*>(&transfer));
    if (code != CURLE_OK)
        throw MakeError(code, "curl_easy_setopt(CURLOPT_PRIVATE)");
    const CURLMcode mcode = curl_multi_add_handle(impl_->multi.get(), easy);
    if (mcode != CURLM_OK)
        throw MakeError(mcode, "curl_multi_add_handle");
}

void Multi::Remove(void* easy) noexcept
{
    if (!impl_->closed)
        curl_multi_remove_handle(impl_->multi.get(), easy);
}

} // namespace pigeon::curl
