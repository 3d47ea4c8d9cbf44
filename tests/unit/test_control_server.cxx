// The control server's two shapes of connection, over a real socket: a
// request and its reply, and a feed after a streaming request, which must
// end (and let its subscription go) when the client hangs up or stops
// reading, without holding more than its limit.

#include "TempDir.hxx"
#include "control/Server.hxx"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <optional>

using namespace pigeon;
using control::Json;

namespace {

// A blocking-free client on a plain socket, and the server's loop run
// between its steps (one thread: the test is the loop).
struct Fixture {
    test::TempDir tmp{"pigeon-control"};
    boost::asio::io_context io;
    std::shared_ptr<control::Feed> feed;
    std::weak_ptr<int> kept; // what the feed holds, as a subscription would be
    std::optional<control::Server> server;
    int fd = -1;
    std::string received;
    bool closed = false;

    explicit Fixture(std::size_t max_feed_bytes = 1 << 20)
    {
        control::ServerLimits limits;
        limits.max_feed_bytes = max_feed_bytes;
        server.emplace(
            io, tmp.dir / "control",
            [this](const Json& request, control::Respond respond) {
                if (request["cmd"] == "watch") {
                    feed = respond.OpenFeed();
                    auto resource = std::make_shared<int>(1);
                    kept = resource;
                    feed->Keep(resource);
                }
                respond(control::OkReply(request["cmd"]));
            },
            limits);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, (tmp.dir / "control").c_str(), sizeof(address.sun_path) - 1);
        REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    }
    ~Fixture()
    {
        if (fd >= 0)
            close(fd);
    }

    void Write(const std::string& text)
    {
        REQUIRE(write(fd, text.data(), text.size()) == ssize_t(text.size()));
    }

    // Runs the loop and reads what came, until `done` or nothing moves.
    template <typename Done> void Pump(Done done)
    {
        for (int idle = 0; idle < 200 && !done(); ++idle) {
            io.poll();
            io.restart();
            char buffer[65536];
            const ssize_t n = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
            if (n > 0) {
                received.append(buffer, std::size_t(n));
                idle = 0;
            } else if (n == 0) {
                closed = true;
            } else {
                usleep(1000);
            }
        }
    }

    std::vector<Json> Lines() const
    {
        std::vector<Json> lines;
        std::size_t start = 0;
        for (auto end = received.find('\n'); end != std::string::npos;
             start = end + 1, end = received.find('\n', start))
            lines.push_back(Json::parse(received.substr(start, end - start)));
        return lines;
    }
};

} // namespace

TEST_CASE("requests get one reply each, in order, on one connection")
{
    Fixture f;
    f.Write("{\"cmd\":\"a\"}\n{\"cmd\":\"b\"}\n");
    f.Pump([&f] { return f.Lines().size() == 2; });
    REQUIRE(f.Lines().size() == 2);
    CHECK(f.Lines()[0]["result"] == "a");
    CHECK(f.Lines()[1]["result"] == "b");
    CHECK_FALSE(f.feed);
}

TEST_CASE("a feed carries its lines after the reply, and ends when the client hangs up")
{
    Fixture f;
    f.Write("{\"cmd\":\"watch\"}\n");
    f.Pump([&f] { return f.feed != nullptr && !f.received.empty(); });
    REQUIRE(f.feed);
    CHECK(f.feed->Send({{"event", "one"}}));
    CHECK(f.feed->Send({{"event", "two"}}));
    f.Pump([&f] { return f.Lines().size() == 3; });
    REQUIRE(f.Lines().size() == 3);
    CHECK(f.Lines()[0]["result"] == "watch");
    CHECK(f.Lines()[1]["event"] == "one");
    CHECK(f.Lines()[2]["event"] == "two");

    CHECK_FALSE(f.kept.expired());
    close(f.fd);
    f.fd = -1;
    for (int i = 0; i < 200 && !f.kept.expired(); ++i) {
        f.io.poll();
        f.io.restart();
        usleep(1000);
    }
    CHECK(f.kept.expired()); // the subscription went with the client
    CHECK_FALSE(f.feed->Send({{"event", "three"}}));
}

TEST_CASE("a feed whose client does not read is bounded, and ends with a notice")
{
    Fixture f(8192);
    f.Write("{\"cmd\":\"watch\"}\n");
    f.Pump([&f] { return f.feed != nullptr && !f.received.empty(); });
    REQUIRE(f.feed);
    f.received.clear(); // the reply; from here the client reads nothing
    int sent = 0;
    while (sent < 1'000'000 && f.feed->Send({{"n", sent}, {"pad", std::string(100, 'x')}})) {
        ++sent;
        f.io.poll();
        f.io.restart();
    }
    CHECK(sent < 1'000'000); // it stopped taking lines...
    CHECK(f.kept.expired()); // ...and let its subscription go
    CHECK_FALSE(f.feed->Send({{"n", -1}}));

    f.feed.reset();
    f.Pump([&f] { return f.closed; });
    CHECK(f.closed);
    const auto lines = f.Lines();
    REQUIRE(lines.size() >= 2);
    for (std::size_t i = 0; i + 1 < lines.size(); ++i)
        CHECK(lines[i]["n"] == int(i)); // what came, came whole and in order
    CHECK(int(lines.size()) - 1 < sent);
    CHECK(lines.back()["ok"] == false);
    CHECK(lines.back()["error"] == "too-slow");
}
