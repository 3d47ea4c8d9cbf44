// RunPresence: pokes lib/avahi by hand. Publishes USER@<avahi host> on PORT
// with the given TXT pairs and prints one line per event on stdout:
//
//   own "NAME"                              our instance name (first, or renamed)
//   up "NAME" host=H txt=K=V;K=V ep=ADDR,PORT,IF ...
//   down "NAME"
//   resolved "NAME" host=H txt=... ep=...   answer to "resolve NAME"
//   unresolved "NAME"
//   neighbours "A" "B"
//   bye                                     after a clean shutdown
//
// ADDR of an IPv6 link-local endpoint ends in %SCOPE-ID (numeric). Commands,
// one per line, come from stdin or from --control FIFO (opened read-write, so
// writers may come and go): resolve NAME | txt K=V... | withdraw |
// publish | neighbours | quit. SIGINT/SIGTERM end it cleanly (with goodbye).
//
// Usage: RunPresence [--debug] [--control FIFO] USER PORT [KEY=VALUE...]

#include "avahi/Lookup.hxx"
#include "avahi/Presence.hxx"
#include "util/Log.hxx"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/streambuf.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace avahi = pigeon::avahi;

namespace {

void Print(const std::string& line)
{
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

std::string Quote(const std::string& name)
{
    return '"' + name + '"';
}

std::string Format(const avahi::ServiceInfo& info)
{
    std::string line = Quote(info.instance) + " host=" + info.host_name + " txt=";
    bool first = true;
    for (const auto& [key, value] : info.txt) {
        line += (first ? "" : ";") + key + "=" + value;
        first = false;
    }
    for (const auto& endpoint : info.endpoints) {
        std::string address;
        if (endpoint.address.is_v6() && endpoint.address.to_v6().scope_id() != 0) {
            auto v6 = endpoint.address.to_v6();
            const auto scope = v6.scope_id();
            v6.scope_id(0);
            address = v6.to_string() + "%" + std::to_string(scope);
        } else {
            address = endpoint.address.to_string();
        }
        line += " ep=" + address + "," + std::to_string(endpoint.port) + "," +
                std::to_string(endpoint.interface);
    }
    return line;
}

// Throws std::invalid_argument on an entry without '='.
avahi::TxtRecord ParseTxt(const std::vector<std::string>& pairs)
{
    avahi::TxtRecord txt;
    for (const auto& pair : pairs) {
        const auto equals = pair.find('=');
        if (equals == std::string::npos || equals == 0)
            throw std::invalid_argument("TXT entry '" + pair + "' is not KEY=VALUE");
        txt[pair.substr(0, equals)] = pair.substr(equals + 1);
    }
    return txt;
}

std::vector<std::string> Words(std::string_view text)
{
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto start = text.find_first_not_of(' ', i);
        if (start == std::string_view::npos)
            break;
        const auto end = std::min(text.find(' ', start), text.size());
        words.emplace_back(text.substr(start, end - start));
        i = end;
    }
    return words;
}

class Tool final : public avahi::Presence::Listener {
public:
    Tool(boost::asio::io_context& io, int control_fd, std::string user, std::uint16_t port,
         avahi::TxtRecord txt)
        : io_(io), presence_(io, *this), control_(io, control_fd), user_(std::move(user)),
          port_(port), txt_(std::move(txt))
    {
        presence_.Publish(user_, port_, txt_);
        ReadCommand();
    }

    void OnNeighbourUp(const avahi::ServiceInfo& info) noexcept override
    {
        Print("up " + Format(info));
    }
    void OnNeighbourDown(const std::string& instance) noexcept override
    {
        Print("down " + Quote(instance));
    }
    void OnOwnName(const std::string& instance) noexcept override
    {
        Print("own " + Quote(instance));
    }

private:
    void ReadCommand()
    {
        boost::asio::async_read_until(control_, input_, '\n',
                                      [this](boost::system::error_code ec, std::size_t) {
                                          if (ec) {
                                              // EOF on stdin: keep running, stop reading.
                                              return;
                                          }
                                          std::istream stream(&input_);
                                          std::string line;
                                          std::getline(stream, line);
                                          Run(line);
                                          ReadCommand();
                                      });
    }

    void Run(const std::string& line) noexcept
    {
        try {
            const auto space = line.find(' ');
            const std::string command = line.substr(0, space);
            const std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
            if (command == "resolve") {
                // Every address, not just the first one that would do to dial.
                presence_.Resolve(
                    rest,
                    [rest](std::optional<avahi::ServiceInfo> info) {
                        Print(info ? "resolved " + Format(*info) : "unresolved " + Quote(rest));
                    },
                    avahi::HasBothFamilies);
            } else if (command == "txt") {
                txt_ = ParseTxt(Words(rest));
                presence_.UpdateTxt(txt_);
                Print("txt-updated");
            } else if (command == "withdraw") {
                presence_.Withdraw();
                Print("withdrawn");
            } else if (command == "publish") {
                presence_.Publish(user_, port_, txt_);
                Print("published");
            } else if (command == "neighbours") {
                std::string out = "neighbours";
                for (const auto& name : presence_.Neighbours())
                    out += " " + Quote(name);
                Print(out);
            } else if (command == "own") {
                Print("own-is " + Quote(presence_.OwnInstance()));
            } else if (command == "quit") {
                io_.stop();
            } else if (!command.empty()) {
                Print("error unknown command '" + command + "'");
            }
        } catch (const std::exception& e) {
            Print(std::string("error ") + e.what());
        }
    }

    boost::asio::io_context& io_;
    avahi::Presence presence_;
    boost::asio::posix::stream_descriptor control_;
    boost::asio::streambuf input_;
    std::string user_;
    std::uint16_t port_;
    avahi::TxtRecord txt_;
};

[[noreturn]] void Usage()
{
    std::fprintf(stderr,
                 "usage: RunPresence [--debug] [--control FIFO] USER PORT [KEY=VALUE...]\n");
    std::exit(2);
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string control_path;
    pigeon::log::SetLevel(pigeon::log::Level::Info);
    while (!args.empty() && args.front().starts_with("--")) {
        if (args.front() == "--debug") {
            pigeon::log::SetLevel(pigeon::log::Level::Debug);
            args.erase(args.begin());
        } else if (args.front() == "--control" && args.size() > 1) {
            control_path = args[1];
            args.erase(args.begin(), args.begin() + 2);
        } else {
            Usage();
        }
    }
    if (args.size() < 2)
        Usage();

    try {
        const std::string user = args[0];
        const unsigned long port = std::stoul(args[1]);
        if (port == 0 || port > 65535)
            throw std::invalid_argument("bad port " + args[1]);
        const auto txt = ParseTxt({args.begin() + 2, args.end()});

        // O_RDWR: a FIFO opened this way never reports EOF when a writer leaves.
        const int control_fd = control_path.empty()
                                   ? ::dup(STDIN_FILENO)
                                   : ::open(control_path.c_str(), O_RDWR | O_CLOEXEC);
        if (control_fd < 0)
            throw std::system_error(errno, std::generic_category(), "cannot open control input");

        boost::asio::io_context io;
        boost::asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&io](boost::system::error_code, int) { io.stop(); });
        {
            Tool tool(io, control_fd, user, std::uint16_t(port), txt);
            io.run();
            // ~Tool withdraws our announcement: the neighbours see the goodbye.
        }
        Print("bye");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "RunPresence: %s\n", e.what());
        return 1;
    }
    return 0;
}
