// Drives lib/c2s against a real XMPP server for the c2s tests: logs in COUNT
// times in a row and prints how long each login took, from Start to online
// (DNS, TCP, TLS, SASL, binding, stream management), failing when one takes
// longer than LIMIT_MS or does not get online.
//
//   run-c2s logins JID PASSWORD COUNT LIMIT_MS [CA_FILE]

#include "c2s/Session.hxx"
#include "util/Log.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

using namespace pigeon;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

class Login final : xmpp::ClientSession::Listener {
public:
    Login(asio::io_context& io, const std::string& jid, const std::string& password,
          c2s::SessionOptions options)
        : io_(io), session_(io, c2s::Account{jid, password, "run-c2s"}, *this, std::move(options))
    {
    }

    // Milliseconds to online, or -1 with why.
    long Run(std::string& outcome)
    {
        const auto start = Clock::now();
        asio::steady_timer deadline(io_, std::chrono::seconds(20));
        deadline.async_wait([this](boost::system::error_code ec) {
            if (!ec) {
                outcome_ = "no outcome within 20 s";
                io_.stop();
            }
        });
        session_.Start();
        io_.restart();
        io_.run();
        const long ms =
            online_ ? long(std::chrono::duration_cast<std::chrono::milliseconds>(online_at_ - start)
                               .count())
                    : -1;
        outcome = online_ ? session_.Description() : outcome_;
        deadline.cancel();
        session_.Stop();
        // Let the goodbye leave before the next login.
        asio::steady_timer pause(io_, std::chrono::milliseconds(50));
        pause.async_wait([](boost::system::error_code) {});
        io_.restart();
        io_.run();
        return ms;
    }

private:
    void OnOnline(const std::string&) noexcept override
    {
        online_ = true;
        online_at_ = Clock::now();
        io_.stop();
    }
    void OnStanza(const xml::Element&) noexcept override {}
    void OnOffline(const std::string& reason, Failure) noexcept override
    {
        outcome_ = reason;
        io_.stop();
    }

    asio::io_context& io_;
    c2s::Session session_;
    bool online_ = false;
    Clock::time_point online_at_{};
    std::string outcome_;
};

} // namespace

int main(int argc, char** argv)
{
    if (argc < 6 || std::string(argv[1]) != "logins") {
        std::cerr << "usage: run-c2s logins JID PASSWORD COUNT LIMIT_MS [CA_FILE]\n";
        return 2;
    }
    log::SetLevel(std::getenv("RUN_C2S_DEBUG") ? log::Level::Debug : log::Level::Warning);
    const int count = std::stoi(argv[4]);
    const long limit = std::stol(argv[5]);
    c2s::SessionOptions options;
    if (argc > 6)
        options.tls.ca_file = argv[6];
    asio::io_context io;
    int failures = 0;
    long slowest = 0;
    for (int i = 1; i <= count; ++i) {
        Login login(io, argv[2], argv[3], options);
        std::string outcome;
        const long ms = login.Run(outcome);
        std::cout << "login " << i << ": "
                  << (ms < 0 ? std::string("FAILED") : std::to_string(ms) + " ms") << " ("
                  << outcome << ")" << std::endl;
        if (ms < 0 || ms > limit)
            ++failures;
        slowest = std::max(slowest, ms);
    }
    std::cout << "slowest login: " << slowest << " ms of " << count << "; limit " << limit << " ms"
              << std::endl;
    return failures == 0 ? 0 : 1;
}
