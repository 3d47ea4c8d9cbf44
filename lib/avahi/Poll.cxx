#include "avahi/Poll.hxx"

#include "util/Log.hxx"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

using pigeon::avahi::FdWatcher;

// Avahi names these types; they are ours to define.
struct AvahiWatch {
    pigeon::avahi::Poll* poll;
    int fd;
    std::shared_ptr<FdWatcher> watcher;
    AvahiWatchEvent wanted;
    AvahiWatchEvent received;
    AvahiWatchCallback callback;
    void* userdata;
    // Tells a new watch from a freed one that happened to get the same address.
    std::uint64_t serial;
};

struct AvahiTimeout : std::enable_shared_from_this<AvahiTimeout> {
    AvahiTimeout(boost::asio::io_context& io, AvahiTimeoutCallback cb, void* data)
        : timer(io), callback(cb), userdata(data)
    {
    }

    void Schedule(const timeval* tv) noexcept;

    boost::asio::steady_timer timer;
    AvahiTimeoutCallback callback;
    void* userdata;
    // Avahi's reference, dropped by timeout_free; a completion still queued
    // in Asio keeps the object alive until it has seen `freed`.
    std::shared_ptr<AvahiTimeout> self;
    bool freed = false;
    // A completion queued before the last update or cancel must not fire.
    unsigned generation = 0;
};

namespace pigeon::avahi {

// All watches on one descriptor. Asio waits are one-shot and see the
// descriptor's state when started, so re-arming after each callback gives
// Avahi the level-triggered behaviour it expects.
class FdWatcher : public std::enable_shared_from_this<FdWatcher> {
public:
    // Throws std::system_error if epoll refuses the descriptor.
    FdWatcher(boost::asio::io_context& io, int fd) : fd_(fd), descriptor_(io, fd) {}
    ~FdWatcher() { Release(); }

    void Add(AvahiWatch& w)
    {
        watches_.push_back(&w);
        Arm();
    }
    // True when no watch is left.
    bool Remove(AvahiWatch& w) noexcept
    {
        watches_.erase(std::remove(watches_.begin(), watches_.end(), &w), watches_.end());
        return watches_.empty();
    }

    // The descriptor belongs to Avahi (libdbus): stop watching it, never close it.
    void Release() noexcept
    {
        if (descriptor_.is_open())
            descriptor_.release();
    }

    void Arm() noexcept
    {
        unsigned wanted = 0;
        for (const auto* w : watches_)
            wanted |= w->wanted;
        if ((wanted & AVAHI_WATCH_IN) != 0 && !reading_)
            Wait(AVAHI_WATCH_IN);
        if ((wanted & AVAHI_WATCH_OUT) != 0 && !writing_)
            Wait(AVAHI_WATCH_OUT);
    }

private:
    bool Contains(const AvahiWatch* w, std::uint64_t serial) const noexcept
    {
        return std::find(watches_.begin(), watches_.end(), w) != watches_.end() &&
               w->serial == serial;
    }

    void Wait(AvahiWatchEvent event) noexcept
    {
        using Descriptor = boost::asio::posix::descriptor_base;
        const bool in = event == AVAHI_WATCH_IN;
        (in ? reading_ : writing_) = true;
        descriptor_.async_wait(in ? Descriptor::wait_read : Descriptor::wait_write,
                               [self = shared_from_this(), event](boost::system::error_code ec) {
                                   self->OnReady(event, ec);
                               });
    }

    void OnReady(AvahiWatchEvent event, boost::system::error_code ec) noexcept
    {
        (event == AVAHI_WATCH_IN ? reading_ : writing_) = false;
        if (ec || !descriptor_.is_open())
            return;
        // A callback may free or add watches, this one included.
        std::vector<std::pair<AvahiWatch*, std::uint64_t>> ready;
        for (auto* w : watches_)
            if ((w->wanted & event) != 0)
                ready.emplace_back(w, w->serial);
        for (auto [w, serial] : ready) {
            if (!Contains(w, serial))
                continue;
            w->received = event;
            w->callback(w, fd_, event, w->userdata);
            if (Contains(w, serial))
                w->received = AvahiWatchEvent(0);
        }
        if (descriptor_.is_open())
            Arm();
    }

    int fd_;
    boost::asio::posix::stream_descriptor descriptor_;
    std::vector<AvahiWatch*> watches_;
    bool reading_ = false;
    bool writing_ = false;
};

namespace {

std::uint64_t g_next_serial = 0;

Poll& PollOf(const AvahiPoll* api) noexcept
{
    return *static_cast<Poll*>(api->userdata);
}

AvahiWatch* WatchNew(const AvahiPoll* api, int fd, AvahiWatchEvent event,
                     AvahiWatchCallback callback, void* userdata) noexcept
{
    auto& poll = PollOf(api);
    try {
        auto watcher = poll.Attach(fd);
        auto* w = new AvahiWatch{&poll,    fd,       watcher,        event, AvahiWatchEvent(0),
                                 callback, userdata, ++g_next_serial};
        watcher->Add(*w);
        return w;
    } catch (const std::exception& e) {
        // Avahi treats a null watch as an error of its own (the client fails).
        log::Warning("avahi", std::string("cannot watch descriptor: ") + e.what());
        return nullptr;
    }
}

void WatchUpdate(AvahiWatch* w, AvahiWatchEvent event) noexcept
{
    w->wanted = event;
    w->watcher->Arm();
}

AvahiWatchEvent WatchGetEvents(AvahiWatch* w) noexcept
{
    return w->received;
}

void WatchFree(AvahiWatch* w) noexcept
{
    if (w->watcher->Remove(*w))
        w->poll->Detach(w->fd);
    delete w;
}

AvahiTimeout* TimeoutNew(const AvahiPoll* api, const timeval* tv, AvahiTimeoutCallback callback,
                         void* userdata) noexcept
{
    try {
        auto t = std::make_shared<AvahiTimeout>(PollOf(api).Io(), callback, userdata);
        t->self = t;
        t->Schedule(tv);
        return t.get();
    } catch (const std::exception& e) {
        log::Warning("avahi", std::string("cannot create timer: ") + e.what());
        return nullptr;
    }
}

void TimeoutUpdate(AvahiTimeout* t, const timeval* tv) noexcept
{
    t->Schedule(tv);
}

void TimeoutFree(AvahiTimeout* t) noexcept
{
    t->freed = true;
    ++t->generation;
    t->timer.cancel();
    t->self.reset(); // may delete t
}

// Avahi gives absolute wall-clock times (gettimeofday); we wait on the steady
// clock for the same span.
std::chrono::steady_clock::duration Until(const timeval& tv) noexcept
{
    timeval now{};
    gettimeofday(&now, nullptr);
    const auto span = std::chrono::seconds(tv.tv_sec - now.tv_sec) +
                      std::chrono::microseconds(tv.tv_usec - now.tv_usec);
    return std::max<std::chrono::steady_clock::duration>(span, std::chrono::seconds(0));
}

} // namespace

Poll::Poll(boost::asio::io_context& io) noexcept : api_{}, io_(io)
{
    api_.userdata = this;
    api_.watch_new = WatchNew;
    api_.watch_update = WatchUpdate;
    api_.watch_get_events = WatchGetEvents;
    api_.watch_free = WatchFree;
    api_.timeout_new = TimeoutNew;
    api_.timeout_update = TimeoutUpdate;
    api_.timeout_free = TimeoutFree;
}

Poll::~Poll()
{
    for (auto& [fd, watcher] : fds_)
        watcher->Release();
}

std::shared_ptr<FdWatcher> Poll::Attach(int fd)
{
    if (auto i = fds_.find(fd); i != fds_.end())
        return i->second;
    auto watcher = std::make_shared<FdWatcher>(io_, fd);
    fds_.emplace(fd, watcher);
    return watcher;
}

void Poll::Detach(int fd) noexcept
{
    if (auto i = fds_.find(fd); i != fds_.end()) {
        // Completions still queued hold the watcher; they find it released.
        i->second->Release();
        fds_.erase(i);
    }
}

} // namespace pigeon::avahi

void AvahiTimeout::Schedule(const timeval* tv) noexcept
{
    ++generation;
    timer.cancel();
    if (tv == nullptr)
        return;
    timer.expires_after(pigeon::avahi::Until(*tv));
    timer.async_wait(
        [t = shared_from_this(), generation = generation](boost::system::error_code ec) {
            if (ec || t->freed || generation != t->generation)
                return;
            t->callback(t.get(), t->userdata);
        });
}
