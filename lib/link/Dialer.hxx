#pragma once
// Opens the TCP connection to a neighbour: tries its resolved endpoints in
// turn, each from the address we announce on that endpoint's link (see
// net/SourceAddress.hxx) and each for a limited time, since a peer that never
// answers must not hold the neighbour up for the kernel's two minutes.

#include "avahi/ServiceInfo.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pigeon::link {

class Dialer : public std::enable_shared_from_this<Dialer> {
public:
    // On success `error` is empty and `socket` is connected to `used`;
    // otherwise `error` says what each attempt met.
    using Done = std::function<void(const std::string& error, boost::asio::ip::tcp::socket socket,
                                    const boost::asio::ip::tcp::endpoint& used)>;

    // Starts at once; `done` runs exactly once, from the loop, unless Cancel()
    // comes first. Does not throw.
    static std::shared_ptr<Dialer> Start(boost::asio::io_context& io,
                                         std::vector<avahi::Endpoint> endpoints,
                                         std::chrono::milliseconds per_attempt, Done done);
    // Gives up; `done` is not called after this.
    void Cancel() noexcept;

    Dialer(boost::asio::io_context& io, std::vector<avahi::Endpoint> endpoints,
           std::chrono::milliseconds per_attempt, Done done);

private:
    void Next() noexcept;
    void NoteFailure(const boost::asio::ip::tcp::endpoint& remote, const std::string& why);
    void Finish(const std::string& error) noexcept;

    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer timer_;
    std::vector<avahi::Endpoint> endpoints_;
    std::size_t next_ = 0;
    std::chrono::milliseconds per_attempt_;
    Done done_;
    std::string errors_; // what each attempt met, for the log
};

} // namespace pigeon::link
