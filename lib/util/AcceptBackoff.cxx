#include "util/AcceptBackoff.hxx"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace pigeon {

namespace {

// The descriptor kept for the moment there are none: /dev/null, open for
// the process's life, -1 while lent out or if it could not be opened.
int g_reserve = -1;

void HoldReserve() noexcept
{
    if (g_reserve < 0)
        g_reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

// Takes the oldest queued connection off `listener` and closes it, so that
// its peer hears at once and the queue does not keep the socket readable.
void DropOneQueued(int listener) noexcept
{
    if (g_reserve >= 0) {
        close(g_reserve);
        g_reserve = -1;
    }
    const int taken = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (taken >= 0)
        close(taken);
    HoldReserve();
}

} // namespace

AcceptBackoff::AcceptBackoff(const boost::asio::any_io_executor& executor) : timer_(executor)
{
    HoldReserve();
}

bool AcceptBackoff::OutOfDescriptors(const boost::system::error_code& ec) noexcept
{
    return ec == boost::system::errc::too_many_files_open ||
           ec == boost::system::errc::too_many_files_open_in_system;
}

std::size_t AcceptBackoff::DescriptorLimit() noexcept
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return std::size_t(1) << 20;
    return std::size_t(limit.rlim_cur);
}

std::chrono::milliseconds AcceptBackoff::Failed(const boost::system::error_code& ec, int listener,
                                                std::function<void()> resume)
{
    if (OutOfDescriptors(ec))
        DropOneQueued(listener);
    const auto wait = delay_;
    delay_ = std::min(delay_ * 2, kLongest);
    timer_.expires_after(wait);
    timer_.async_wait([resume = std::move(resume)](const boost::system::error_code& timer_ec) {
        if (!timer_ec)
            resume();
    });
    return wait;
}

void AcceptBackoff::Cancel() noexcept
{
    timer_.cancel();
}

} // namespace pigeon
