#pragma once
// Tells when a file is written or replaced (inotify on its directory, so that
// an editor's write-aside-and-rename counts too). Event-driven: a daemon that
// waits for a user to fix a file does nothing until they do.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <array>
#include <filesystem>
#include <functional>
#include <string>

namespace pigeon {

class FileWatcher {
public:
    // Throws std::system_error if inotify cannot watch the file's directory.
    FileWatcher(boost::asio::io_context& io, const std::filesystem::path& file,
                std::function<void()> on_change);

private:
    void Read();

    boost::asio::posix::stream_descriptor inotify_;
    std::string name_; // the file's name within the watched directory
    std::function<void()> on_change_;
    std::array<char, 4096> buffer_;
};

} // namespace pigeon
