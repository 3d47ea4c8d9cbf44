#include "uring/FsyncRing.hxx"

#include <liburing.h>
#include <sys/eventfd.h>

#include <cerrno>
#include <utility>
#include <vector>

namespace pigeon::uring {
namespace {

// liburing reports errors as negated errno values.
std::system_error Failure(int negated_errno, const char* what)
{
    return {std::error_code(-negated_errno, std::generic_category()), what};
}

int NewEventFd()
{
    const int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0)
        throw std::system_error(errno, std::generic_category(), "eventfd");
    return fd;
}

} // namespace

struct FsyncRing::Ring {
    io_uring ring{};

    Ring()
    {
        if (const int r = io_uring_queue_init(kEntries, &ring, 0); r < 0)
            throw Failure(r, "io_uring_queue_init");
    }
    ~Ring() { io_uring_queue_exit(&ring); }
    Ring(const Ring&) = delete;
    Ring& operator=(const Ring&) = delete;
};

FsyncRing::FsyncRing(boost::asio::io_context& io)
    : ring_(std::make_unique<Ring>()), ready_(io, NewEventFd())
{
    if (const int r = io_uring_register_eventfd(&ring_->ring, ready_.native_handle()); r < 0)
        throw Failure(r, "io_uring_register_eventfd");
    Wait();
}

FsyncRing::~FsyncRing() = default;

void FsyncRing::DataSync(int fd, Done done)
{
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_->ring);
    if (sqe == nullptr)
        throw std::system_error(EBUSY, std::generic_category(), "io_uring: ring full");
    io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
    const auto id = ++last_id_;
    io_uring_sqe_set_data64(sqe, id);
    // Once submitted it completes whatever happens next: note it first.
    pending_.emplace(id, std::move(done));
    if (const int r = io_uring_submit(&ring_->ring); r < 0) {
        pending_.erase(id);
        throw Failure(r, "io_uring_submit");
    }
}

void FsyncRing::Wait()
{
    ready_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                      [this, alive = alive_.Watch()](const boost::system::error_code& ec) {
                          if (ec || alive.Gone())
                              return;
                          Reap();
                          if (!alive.Gone()) // a `done` may have destroyed us
                              Wait();
                      });
}

void FsyncRing::Reap()
{
    eventfd_t signalled = 0;
    eventfd_read(ready_.native_handle(), &signalled); // rearms it; completions are read below
    std::vector<std::pair<Done, int>> finished;
    io_uring_cqe* cqe = nullptr;
    while (io_uring_peek_cqe(&ring_->ring, &cqe) == 0) {
        const auto id = io_uring_cqe_get_data64(cqe);
        const int result = cqe->res;
        io_uring_cqe_seen(&ring_->ring, cqe);
        if (const auto it = pending_.find(id); it != pending_.end()) {
            finished.emplace_back(std::move(it->second), result);
            pending_.erase(it);
        }
    }
    const auto alive = alive_.Watch();
    for (auto& [done, result] : finished) {
        if (alive.Gone())
            return;
        done(result < 0 ? std::error_code(-result, std::generic_category()) : std::error_code{});
    }
}

} // namespace pigeon::uring
