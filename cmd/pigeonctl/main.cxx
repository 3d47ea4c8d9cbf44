// pigeonctl: talks to a running pigeond over its control socket.
// Exit status: 0 done, 1 failed (pigeond refused the request, or it could not
// be made), 2 usage error, 3 pigeond not reachable.

#include "Format.hxx"
#include "control/Client.hxx"
#include "control/Error.hxx"
#include "util/Xdg.hxx"

#include <boost/program_options.hpp>

#include <iostream>
#include <optional>
#include <iterator>
#include <sstream>

namespace {
using namespace pigeon;
using namespace pigeon::ctl;
using control::Json;
namespace po = boost::program_options;

constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnavailable = 3;

// pigeond refuses bodies over max-body (at most 1 MiB); stop reading well past
// that so its message, which names the limit, is what the user sees.
constexpr std::size_t kMaxStdinBytes = 2u << 20;

constexpr const char* kUsage = R"(Usage: pigeonctl [OPTIONS] COMMAND [ARGS]

Commands:
  send JID TEXT     queue TEXT for JID (TEXT '-' reads standard input); prints the id
  outbox            messages we sent, with their state and carriers
  carrying          messages we carry for others
  inbox             messages we received
  show ID           one message, by id or a unique prefix of at least 4 characters
  search TEXT       messages in outbox and inbox whose body has every word of TEXT
  status            connectivity, neighbours, queue sizes and counters
  peers [--log]     neighbours seen over link-local, or the handshake log
  presence STATUS   tell neighbours we are avail, away or dnd
  account           our account, server and login state
  account register  create the account on the server (XEP-0077)
  account passwd    change the account password; reads the new one from stdin
  account set JID [--bosh-url URL]
                    use account JID from now on (saved in pigeon.conf); reads its
                    password from stdin; without --bosh-url the server is discovered
  contacts          the roster, as last seen (works offline)
  contacts add JID [NAME]  add a contact and ask to see their presence

)";

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

std::string ReadStdin()
{
    std::string text;
    char buffer[65536];
    while (std::cin.read(buffer, sizeof(buffer)) || std::cin.gcount() > 0) {
        text.append(buffer, std::size_t(std::cin.gcount()));
        if (text.size() > kMaxStdinBytes)
            throw UsageError("standard input is larger than " + std::to_string(kMaxStdinBytes) +
                             " bytes");
    }
    if (!text.empty() && text.back() == '\n')
        text.pop_back(); // the newline `echo` and editors add is not part of the message
    return text;
}

// A password: one line of standard input, without its newline.
std::string ReadPasswordLine(const std::string& command)
{
    std::string line;
    if (!std::getline(std::cin, line) || line.empty())
        throw UsageError("account " + command + " reads the password from standard input");
    return line;
}

void PrintDone(std::ostream& out, const Json& result)
{
    out << (result.contains("note") ? result["note"].get<std::string>() : std::string("done")) << '\n';
}

void ExpectArgs(const std::vector<std::string>& args, std::size_t count, const char* usage)
{
    if (args.size() != count)
        throw UsageError(std::string("usage: pigeonctl ") + usage);
}

struct Flags {
    bool json = false;
    bool log = false;
    int limit = 200;
    std::optional<std::string> bosh_url;
};

int Execute(const std::string& command, const std::vector<std::string>& args, const Flags& flags,
            const std::filesystem::path& socket)
{
    Json request = {{"cmd", command}};
    using Printer = void (*)(std::ostream&, const Json&);
    Printer printer = nullptr;

    if (command == "send") {
        ExpectArgs(args, 2, "send JID TEXT");
        request["to"] = args[0];
        request["body"] = args[1] == "-" ? ReadStdin() : args[1];
    } else if (command == "outbox" || command == "carrying" || command == "inbox" ||
               command == "status") {
        ExpectArgs(args, 0, command.c_str());
        printer = command == "outbox"     ? PrintOutbox
                  : command == "carrying" ? PrintCarrying
                  : command == "inbox"    ? PrintInbox
                                          : PrintStatus;
    } else if (command == "peers") {
        ExpectArgs(args, 0, "peers [--log]");
        request["log"] = flags.log;
        request["limit"] = flags.limit;
        printer = flags.log ? PrintHandshakeLog : PrintPeers;
    } else if (command == "presence") {
        ExpectArgs(args, 1, "presence avail|away|dnd");
        request["status"] = args[0];
        printer = PrintDone;
    } else if (command == "account") {
        if (args.empty()) {
            printer = PrintAccount;
        } else if (args.size() == 1 && args[0] == "register") {
            request["cmd"] = "register";
        } else if (args.size() == 1 && args[0] == "passwd") {
            request["cmd"] = "passwd";
            request["password"] = ReadPasswordLine("passwd");
        } else if (args.size() == 2 && args[0] == "set") {
            request["cmd"] = "account-set";
            request["jid"] = args[1];
            request["bosh_url"] = flags.bosh_url.value_or("");
            request["password"] = ReadPasswordLine("set");
        } else {
            throw UsageError("usage: pigeonctl account [register | passwd | set JID [--bosh-url URL]]");
        }
        if (!args.empty())
            printer = PrintDone;
    } else if (command == "contacts") {
        if (args.empty()) {
            printer = PrintContacts;
        } else if ((args.size() == 2 || args.size() == 3) && args[0] == "add") {
            request["cmd"] = "contacts-add";
            request["jid"] = args[1];
            request["name"] = args.size() == 3 ? args[2] : "";
            printer = PrintDone;
        } else {
            throw UsageError("usage: pigeonctl contacts [add JID [NAME]]");
        }
    } else if (command == "show") {
        ExpectArgs(args, 1, "show ID");
        request["id"] = args[0];
        printer = PrintShow;
    } else if (command == "search") {
        if (args.empty())
            throw UsageError("usage: pigeonctl search TEXT");
        std::ostringstream text;
        std::copy(args.begin(), args.end(), std::ostream_iterator<std::string>(text, " "));
        request["text"] = text.str();
        printer = PrintSearch;
    } else {
        throw UsageError("unknown command '" + command + "'");
    }

    control::Client client(socket);
    const Json result = client.Call(request);
    if (flags.json)
        std::cout << result.dump(2) << '\n';
    else if (printer != nullptr)
        printer(std::cout, result);
    else
        std::cout << result["id"].get<std::string>() << '\n'; // send: the id, for scripts
    return 0;
}

} // namespace

int main(int argc, char* argv[])
{
    po::options_description visible("Options");
    visible.add_options()
        ("help,h", "show this help and exit")
        ("version", "show the version and exit")
        ("json", "print the reply as JSON, for scripts")
        ("log", "with peers: show the handshake log")
        ("limit", po::value<int>()->default_value(200), "with peers --log: the last this many events")
        ("bosh-url", po::value<std::string>(), "with account set: the server's BOSH endpoint (default: discovered)")
        ("runtime-dir", po::value<std::string>(), "reach the pigeond started with this --runtime-dir");
    po::options_description all;
    all.add(visible).add_options()
        ("command", po::value<std::string>())
        ("args", po::value<std::vector<std::string>>()->default_value({}, ""));
    po::positional_options_description positional;
    positional.add("command", 1).add("args", -1);

    try {
        po::variables_map vm;
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
        po::notify(vm);
        if (vm.count("help")) {
            std::cout << kUsage << visible;
            return 0;
        }
        if (vm.count("version")) {
            std::cout << "pigeonctl " PIGEON_VERSION "\n";
            return 0;
        }
        if (!vm.count("command"))
            throw UsageError("no command given");
        const auto runtime_dir = vm.count("runtime-dir")
                                     ? std::filesystem::path(vm["runtime-dir"].as<std::string>())
                                     : xdg::RuntimeDir();
        Flags flags;
        flags.json = vm.count("json") > 0;
        flags.log = vm.count("log") > 0;
        flags.limit = vm["limit"].as<int>();
        if (vm.count("bosh-url"))
            flags.bosh_url = vm["bosh-url"].as<std::string>();
        return Execute(vm["command"].as<std::string>(),
                       vm["args"].as<std::vector<std::string>>(), flags, runtime_dir / "control");
    } catch (const po::error& e) {
        std::cerr << "pigeonctl: " << e.what() << "\nTry 'pigeonctl --help'.\n";
        return kExitUsage;
    } catch (const UsageError& e) {
        std::cerr << "pigeonctl: " << e.what() << "\nTry 'pigeonctl --help'.\n";
        return kExitUsage;
    } catch (const control::DaemonUnavailable& e) {
        std::cerr << "pigeonctl: " << e.what() << '\n';
        return kExitUnavailable;
    } catch (const control::RequestError& e) {
        std::cerr << "pigeonctl: " << e.what() << '\n';
        return kExitRefused;
    } catch (const std::exception& e) {
        std::cerr << "pigeonctl: " << e.what() << '\n';
        return kExitRefused;
    }
}
