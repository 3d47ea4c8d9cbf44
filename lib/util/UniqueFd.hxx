#pragma once
// A file descriptor this scope or object owns: closed when it goes, whatever
// happens between open and then.

#include <unistd.h>

#include <utility>

namespace pigeon {

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    ~UniqueFd()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept
    {
        UniqueFd gone(std::move(*this));
        fd_ = std::exchange(other.fd_, -1);
        return *this;
    }

    int Get() const noexcept { return fd_; }
    bool IsOpen() const noexcept { return fd_ >= 0; }

private:
    int fd_ = -1;
};

} // namespace pigeon
