// pigeonctl: talks to a running pigeond over its control socket.
// Exit status (pigeonctl(1)): 0 done, 1 failed (pigeond refused the request,
// or it could not be made), 2 usage error, 3 pigeond not reachable or gone,
// 4 send --wait timed out, 130 send --wait interrupted.

#include "Failure.hxx"
#include "Follow.hxx"
#include "Printers.hxx"
#include "Request.hxx"
#include "Usage.hxx"
#include "control/Client.hxx"
#include "control/Command.hxx"
#include "control/Error.hxx"
#include "util/Xdg.hxx"

#include <boost/program_options.hpp>

#include <algorithm>
#include <iostream>

namespace {
using namespace pigeon;
using namespace pigeon::ctl;
namespace po = boost::program_options;

// "--wait delivered" means "--wait=delivered": an option whose value may be
// left out takes the next word only if it is one of its values (a JID or a
// message never is one).
std::vector<std::string> JoinOptionalValues(int argc, char* argv[])
{
    std::vector<std::string> words(argv + 1, argv + argc);
    for (const auto& command : control::kCommands)
        for (const auto& a : command.Arguments()) {
            if (a.source != control::Source::MaybeValue)
                continue;
            const std::string option = "--" + OptionName(a);
            for (std::size_t i = 0; i + 1 < words.size(); ++i)
                if (words[i] == option &&
                    ("|" + std::string(a.choices) + "|").find("|" + words[i + 1] + "|") !=
                        std::string::npos) {
                    words[i] += "=" + words[i + 1];
                    words.erase(words.begin() + std::ptrdiff_t(i) + 1);
                }
        }
    return words;
}

// Sends what the command line asks for and prints the reply.
int Run(const po::variables_map& vm)
{
    if (!vm.count("command"))
        throw UsageError("no command given");
    const auto runtime_dir = vm.count("runtime-dir")
                                 ? std::filesystem::path(vm["runtime-dir"].as<std::string>())
                                 : xdg::RuntimeDir();
    const auto socket = runtime_dir / "control";
    const bool json = vm.count("json") > 0;
    auto invocation =
        MakeRequest(vm["command"].as<std::string>(), vm["args"].as<std::vector<std::string>>(), vm);
    const auto& command = control::kCommands[invocation.command];
    if (command.reply == control::Reply::Stream)
        return Watch(socket, json);
    if (vm.count("wait") && command.wire == "send")
        return SendAndWait(socket, invocation.request,
                           {vm["wait"].as<std::string>(), vm["timeout"].as<int>(), json});
    if (!vm["timeout"].defaulted())
        throw UsageError("--timeout goes with send --wait");
    if (!json)
        FitListingToScreen(invocation.request);
    control::Client client(socket);
    const control::Json result = client.Call(invocation.request);
    if (json)
        PrintJsonResult(std::cout, std::cerr, result, invocation.request);
    else
        PrintResult(invocation.command, std::cout, result, invocation.request);
    return 0;
}

// Says why on stderr and, with --json, in the control protocol's error shape
// on stdout, so that a script reading stdout learns it too.
int Fail(bool json, const Failure& failure)
{
    std::cerr << "pigeonctl: " << failure.what() << '\n';
    if (failure.ExitStatus() == kExitUsage)
        std::cerr << "Try 'pigeonctl --help'.\n";
    if (json) {
        control::Json error = {
            {"ok", false}, {"error", failure.Code()}, {"message", failure.what()}};
        error.update(failure.Extra());
        std::cout << error.dump() << std::endl;
    }
    return failure.ExitStatus();
}

int Main(const std::vector<std::string>& words)
{
    po::options_description all;
    all.add(VisibleOptions())
        .add_options()("command", po::value<std::string>())(
            "args", po::value<std::vector<std::string>>()->default_value({}, ""));
    po::positional_options_description positional;
    positional.add("command", 1).add("args", -1);

    po::variables_map vm;
    po::store(po::command_line_parser(words).options(all).positional(positional).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
        std::cout << HelpText();
        return 0;
    }
    if (vm.count("version")) {
        std::cout << "pigeonctl " PIGEON_VERSION "\n";
        return 0;
    }
    return Run(vm);
}

} // namespace

int main(int argc, char* argv[])
{
    const auto words = JoinOptionalValues(argc, argv);
    const bool json = std::find(words.begin(), words.end(), "--json") != words.end();
    try {
        return Main(words);
    } catch (const Failure& e) {
        return Fail(json, e);
    } catch (const po::error& e) {
        return Fail(json, Failure(kExitUsage, "usage", e.what()));
    } catch (const UsageError& e) {
        return Fail(json, Failure(kExitUsage, "usage", e.what()));
    } catch (const control::DaemonUnavailable& e) {
        return Fail(json, Failure(kExitUnavailable, "unavailable", e.what()));
    } catch (const control::RequestError& e) {
        return Fail(json, Failure(kExitRefused, e.Code(), e.what()));
    } catch (const std::exception& e) {
        return Fail(json, Failure(kExitRefused, "failed", e.what()));
    }
}
