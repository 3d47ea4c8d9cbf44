// pigeonctl: talks to a running pigeond over its control socket.
// Exit status: 0 done, 1 failed (pigeond refused the request, or it could not
// be made), 2 usage error, 3 pigeond not reachable.

#include "Printers.hxx"
#include "Request.hxx"
#include "Usage.hxx"
#include "control/Client.hxx"
#include "control/Error.hxx"
#include "util/Xdg.hxx"

#include <boost/program_options.hpp>

#include <iostream>

namespace {
using namespace pigeon;
namespace po = boost::program_options;

constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnavailable = 3;

// Sends what the command line asks for and prints the reply.
int Run(const po::variables_map& vm)
{
    if (!vm.count("command"))
        throw ctl::UsageError("no command given");
    const auto runtime_dir = vm.count("runtime-dir")
                                 ? std::filesystem::path(vm["runtime-dir"].as<std::string>())
                                 : xdg::RuntimeDir();
    const auto invocation = ctl::MakeRequest(vm["command"].as<std::string>(),
                                             vm["args"].as<std::vector<std::string>>(), vm);
    control::Client client(runtime_dir / "control");
    const control::Json result = client.Call(invocation.request);
    if (vm.count("json"))
        std::cout << result.dump(2) << '\n';
    else
        ctl::PrintResult(invocation.command, std::cout, result, invocation.request);
    return 0;
}

} // namespace

int main(int argc, char* argv[])
{
    po::options_description all;
    all.add(ctl::VisibleOptions())
        .add_options()("command", po::value<std::string>())(
            "args", po::value<std::vector<std::string>>()->default_value({}, ""));
    po::positional_options_description positional;
    positional.add("command", 1).add("args", -1);

    try {
        po::variables_map vm;
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(),
                  vm);
        po::notify(vm);
        if (vm.count("help")) {
            std::cout << ctl::HelpText();
            return 0;
        }
        if (vm.count("version")) {
            std::cout << "pigeonctl " PIGEON_VERSION "\n";
            return 0;
        }
        return Run(vm);
    } catch (const po::error& e) {
        std::cerr << "pigeonctl: " << e.what() << "\nTry 'pigeonctl --help'.\n";
        return kExitUsage;
    } catch (const ctl::UsageError& e) {
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
