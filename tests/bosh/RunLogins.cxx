// Logs in to a real XMPP server over BOSH COUNT times in a row, as pigeond
// does (lib/bosh with its default options), and prints how long each login
// took, from Start to online, and the minimum, median and maximum. Each
// session is ended cleanly (the terminate answered, or 5 s) before the next
// starts. Exits 1 if a login failed
// or took longer than LIMIT_MS. For tests/uplink/logins.sh.
//
//   run-logins URL JID PASSWORD COUNT LIMIT_MS

#include "bosh/Session.hxx"
#include "curl/Multi.hxx"
#include "util/Log.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

using namespace pigeon;
using Clock = std::chrono::steady_clock;

namespace {

class Logins final : bosh::Session::Listener {
public:
    Logins(const std::string& url, const std::string& jid, const std::string& password)
        : session_(multi_, {jid, password, url, "pigeon"}, *this, Options())
    {
    }

    // The time each login took, or a negative value for one that failed.
    std::vector<double> Run(int count)
    {
        for (int i = 0; i < count; ++i) {
            outcome_ = -1;
            const auto start = Clock::now();
            session_.Start();
            RunAtMost(std::chrono::seconds(60));
            if (outcome_ >= 0)
                outcome_ = std::chrono::duration<double>(online_at_ - start).count();
            times_.push_back(outcome_);
            std::printf("login %2d: %s\n", i + 1,
                        outcome_ < 0 ? ("failed: " + reason_).c_str()
                                     : (std::to_string(outcome_) + " s").c_str());
            std::fflush(stdout);
            Logout();
        }
        return times_;
    }

private:
    static bosh::SessionOptions Options()
    {
        bosh::SessionOptions options;
        options.binding.use_environment_proxy = false;
        return options;
    }

    // Runs the loop until something stops it, or for `limit`.
    void RunAtMost(std::chrono::seconds limit)
    {
        boost::asio::steady_timer deadline(io_, limit);
        deadline.async_wait([this](boost::system::error_code ec) {
            if (!ec)
                io_.stop();
        });
        io_.restart();
        io_.run();
    }

    void OnOnline(const std::string&) noexcept override
    {
        online_at_ = Clock::now();
        outcome_ = 0;
        io_.stop();
    }
    void OnStanza(const xml::Element&) noexcept override {}
    void OnOffline(const std::string& reason, Failure) noexcept override
    {
        reason_ = reason;
        io_.stop();
    }

    // Ends the session and waits (at most 5 s) until the server answered the terminate.
    void Logout()
    {
        const auto start = Clock::now();
        bool answered = false;
        session_.Stop([this, &answered] {
            answered = true;
            io_.stop();
        });
        RunAtMost(std::chrono::seconds(5));
        const double took = std::chrono::duration<double>(Clock::now() - start).count();
        std::printf("          logout %s after %.3f s\n", answered ? "done" : "NOT done", took);
    }

    boost::asio::io_context io_;
    curl::Multi multi_{io_};
    bosh::Session session_;
    double outcome_ = -1;
    Clock::time_point online_at_{};
    std::string reason_;
    std::vector<double> times_;
};

} // namespace

int main(int argc, char** argv)
{
    if (argc != 6) {
        std::cerr << "usage: run-logins URL JID PASSWORD COUNT LIMIT_MS\n";
        return 2;
    }
    if (std::getenv("BOSH_DEBUG") != nullptr)
        log::SetLevel(log::Level::Debug);
    const int count = std::atoi(argv[4]);
    const double limit = std::atof(argv[5]) / 1000;
    std::vector<double> times;
    try {
        times = Logins(argv[1], argv[2], argv[3]).Run(count);
    } catch (const std::exception& e) {
        std::cout << "FAIL: " << e.what() << std::endl;
        return 1;
    }
    std::vector<double> sorted = times;
    std::sort(sorted.begin(), sorted.end());
    const bool failed = sorted.empty() || sorted.front() < 0;
    const bool slow = !sorted.empty() && sorted.back() > limit;
    if (!sorted.empty()) {
        const std::size_t n = sorted.size();
        const double median = (sorted[(n - 1) / 2] + sorted[n / 2]) / 2;
        std::printf("%zu logins: min %.3f s, median %.3f s, max %.3f s (limit %.3f s)\n", n,
                    sorted.front(), median, sorted.back(), limit);
    }
    if (failed)
        std::printf("FAIL: a login failed\n");
    if (slow)
        std::printf("FAIL: a login took longer than %.3f s\n", limit);
    return failed || slow ? 1 : 0;
}
