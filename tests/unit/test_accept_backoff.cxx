// A listener out of descriptors (util/AcceptBackoff), on loopback: it takes
// queued connections off with its reserve descriptor and closes them, and
// waits longer each time instead of retrying at once.
#include "util/AcceptBackoff.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// Uses up every descriptor but one until destroyed (the soft limit lowered,
// the holes below it filled): the one left is for the reserve.
class Exhausted {
public:
    // `any` is an open descriptor to copy.
    explicit Exhausted(int any)
    {
        getrlimit(RLIMIT_NOFILE, &saved_);
        int highest = dup(any);
        REQUIRE(highest >= 0);
        rlimit low = saved_;
        low.rlim_cur = rlim_t(highest) + 1;
        REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
        filler_.push_back(highest);
        for (int fd = dup(any); fd >= 0; fd = dup(any))
            filler_.push_back(fd);
        close(filler_.back());
        filler_.pop_back();
    }
    ~Exhausted()
    {
        for (const int fd : filler_)
            close(fd);
        setrlimit(RLIMIT_NOFILE, &saved_);
    }

private:
    rlimit saved_{};
    std::vector<int> filler_;
};

} // namespace

TEST_CASE("out of descriptors, queued connections are closed and accept waits, doubling")
{
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    std::vector<tcp::socket> clients;
    for (int i = 0; i < 3; ++i) {
        clients.emplace_back(io);
        clients.back().connect(acceptor.local_endpoint());
    }
    int failures = 0;
    int accepted = 0;
    std::vector<std::chrono::milliseconds> waits;
    std::unique_ptr<pigeon::AcceptBackoff> backoff;
    std::function<void()> accept = [&] {
        acceptor.async_accept([&](boost::system::error_code ec, tcp::socket) {
            if (!ec) {
                ++accepted;
                return;
            }
            CHECK(pigeon::AcceptBackoff::OutOfDescriptors(ec));
            ++failures;
            waits.push_back(backoff->Failed(ec, acceptor.native_handle(), accept));
        });
    };
    // Under UBSan the first check of each dynamic type reads memory through
    // a pipe, which needs two descriptors: the types met while descriptors
    // are out (the timer service, a handler's executor, the error category
    // of a failed accept) are met once before, so only cached checks remain.
    asio::steady_timer warm_up(io, 0ms);
    warm_up.async_wait([](boost::system::error_code) {});
    io.run();
    io.restart();
    CHECK(pigeon::AcceptBackoff::OutOfDescriptors(make_error_code(asio::error::no_descriptors)));
    {
        Exhausted exhausted(acceptor.native_handle());
        backoff = std::make_unique<pigeon::AcceptBackoff>(io.get_executor()); // the last one
        accept();
        io.run_for(600ms);
    }
    // 50, 100, 200 ms: a queued connection dropped each time; a fourth try
    // may still fail (the kernel frees a closed descriptor's slot lazily),
    // but nothing spins.
    CHECK(failures >= 3);
    CHECK(failures <= 4);
    CHECK(accepted == 0);
    REQUIRE(waits.size() >= 3);
    CHECK(waits[0] == 50ms);
    CHECK(waits[1] == 100ms);
    CHECK(waits[2] == 200ms);
    for (auto& client : clients) {
        boost::system::error_code ec;
        char byte;
        client.non_blocking(true);
        client.read_some(asio::buffer(&byte, 1), ec);
        CHECK((ec == asio::error::eof || ec == asio::error::connection_reset));
    }
}
