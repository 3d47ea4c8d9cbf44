#include "util/FileWatcher.hxx"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace pigeon {

namespace {

int OpenInotify()
{
    const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0)
        throw std::system_error(errno, std::generic_category(), "inotify");
    return fd;
}

} // namespace

FileWatcher::FileWatcher(boost::asio::io_context& io, const std::filesystem::path& file,
                         std::function<void()> on_change)
    : inotify_(io, OpenInotify()), name_(file.filename().string()), on_change_(std::move(on_change))
{
    const auto directory = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    if (inotify_add_watch(inotify_.native_handle(), directory.c_str(),
                          IN_CLOSE_WRITE | IN_MOVED_TO) < 0)
        throw std::system_error(errno, std::generic_category(),
                                "cannot watch " + directory.string());
    Read();
}

void FileWatcher::Read()
{
    inotify_.async_read_some(
        boost::asio::buffer(buffer_), [this](boost::system::error_code ec, std::size_t size) {
            if (ec == boost::asio::error::operation_aborted)
                return;
            bool ours = false;
            for (std::size_t offset = 0; !ec && offset + sizeof(inotify_event) <= size;) {
                inotify_event event;
                std::memcpy(&event, buffer_.data() + offset, sizeof(event));
                const char* name = buffer_.data() + offset + sizeof(event);
                if (event.len > 0 && name_ == std::string(name, strnlen(name, event.len)))
                    ours = true;
                offset += sizeof(event) + event.len;
            }
            if (!ec)
                Read();
            if (ours)
                on_change_(); // last: it may destroy us
        });
}

} // namespace pigeon
