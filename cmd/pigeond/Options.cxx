#include "Options.hxx"

#include "Settings.hxx"
#include "util/Xdg.hxx"

#include <boost/program_options.hpp>

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <type_traits>

namespace pigeon {
namespace po = boost::program_options;

namespace {

// A pigeon.conf is a few dozen lines; this is far more than any needs.
constexpr std::size_t kMaxConfigBytes = 256 * 1024;

std::string StripNewline(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    return text;
}

// Runs once at start-up, before the loop: blocking here is fine.
std::string RunPasswordCommand(const std::string& command)
{
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr)
        throw OptionsError("cannot run password-command");
    std::string text;
    char buffer[256];
    std::size_t size;
    while ((size = fread(buffer, 1, sizeof(buffer), pipe)) > 0 && text.size() < 4096)
        text.append(buffer, size);
    if (pclose(pipe) != 0)
        throw OptionsError("password-command failed");
    return StripNewline(std::move(text));
}

// What Program_options reads a setting as: its own type, or text for paths
// and enumerations.
template <typename T>
using ReadAs =
    std::conditional_t<std::is_arithmetic_v<T> || std::is_same_v<T, std::string>, T, std::string>;

void Declare(po::options_description& options, const Setting& setting)
{
    std::visit(
        [&options, &setting](auto member) {
            using T = SettingType<decltype(member)>;
            auto* value = po::value<ReadAs<T>>();
            if constexpr (std::is_same_v<ReadAs<T>, T>) {
                if (setting.fallback)
                    value->default_value(std::get<T>(*setting.fallback));
            } else if (setting.fallback) {
                value->default_value(ValueText(setting, *setting.fallback));
            }
            options.add_options()(std::string(setting.name).c_str(), value,
                                  std::string(setting.help).c_str());
        },
        setting.member);
}

// Options that may stand in pigeon.conf as well as on the command line.
po::options_description SettingOptions()
{
    po::options_description options("Settings (also valid in pigeon.conf, without the dashes)");
    for (const auto& setting : Settings())
        Declare(options, setting);
    return options;
}

// The value given for `setting`, else the one found at start, else the default.
void Read(const po::variables_map& vm, const Setting& setting, DaemonConfig& config)
{
    const std::string name(setting.name);
    if (vm.count(name) == 0) {
        if (setting.at_start != nullptr)
            Assign(setting, setting.at_start(), config);
        return;
    }
    std::visit(
        [&](auto member) {
            Assign(setting, vm[name].as<ReadAs<SettingType<decltype(member)>>>(), config);
        },
        setting.member);
}

// The password, from whichever of password-file and password-command is given.
void ReadPassword(const po::variables_map& vm, DaemonConfig& c)
{
    const bool file = vm.count(std::string(SettingOf(&DaemonConfig::password_file).name)) > 0;
    const bool command = vm.count(std::string(SettingOf(&DaemonConfig::password_command).name)) > 0;
    if (file && command)
        throw OptionsError("give password-file or password-command, not both");
    if (file)
        c.password = ReadPasswordFile(c.password_file);
    else if (command)
        c.password = RunPasswordCommand(c.password_command);
}

// Adds the settings in the config file to `vm` (flags already there win), and
// returns the file's path: --config, else the XDG default if there is one.
std::filesystem::path ReadConfigFile(po::variables_map& vm, const po::options_description& settings)
{
    std::filesystem::path config_file;
    const bool explicit_config = vm.count("config") > 0;
    if (explicit_config) {
        config_file = vm["config"].as<std::string>();
    } else {
        try {
            config_file = xdg::ConfigFile();
        } catch (const std::runtime_error&) {
            // No HOME and no XDG_CONFIG_HOME: there is no default file to read.
        }
    }
    std::ifstream file;
    if (!config_file.empty())
        file.open(config_file);
    if (!file && explicit_config)
        throw OptionsError("cannot read config file " + config_file.string());
    if (file) {
        // Read whole but bounded: --config /dev/zero, or a file of one endless line, must not
        // grow the daemon before it has parsed a single setting.
        std::string text(kMaxConfigBytes + 1, '\0');
        file.read(text.data(), std::streamsize(text.size()));
        if (file.bad())
            throw OptionsError("cannot read config file " + config_file.string());
        text.resize(std::size_t(file.gcount()));
        if (text.size() > kMaxConfigBytes)
            throw OptionsError(config_file.string() + " is larger than " +
                               std::to_string(kMaxConfigBytes / 1024) + " KiB");
        std::istringstream in(text);
        try {
            po::store(po::parse_config_file(in, settings), vm);
        } catch (const po::error& e) {
            throw OptionsError(config_file.string() + ": " + e.what());
        }
    }
    return config_file;
}

} // namespace

std::string ReadPasswordFile(const std::string& path)
{
    struct stat st {};
    if (stat(path.c_str(), &st) != 0)
        throw OptionsError("cannot read password file " + path);
    if ((st.st_mode & 077) != 0)
        throw OptionsError("password file " + path + " is readable by others: chmod 600 it");
    std::ifstream file(path);
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (!file && !file.eof())
        throw OptionsError("cannot read password file " + path);
    return StripNewline(std::move(text));
}

ParsedOptions ParseDaemonOptions(int argc, const char* const argv[])
{
    po::options_description generic("Options");
    generic.add_options()("help,h", "show this help and exit")("version",
                                                               "show the version and exit")(
        "config", po::value<std::string>(),
        "read settings from this file (default $XDG_CONFIG_HOME/pigeon/pigeon.conf)");
    const auto settings = SettingOptions();
    po::options_description all;
    all.add(generic).add(settings);

    ParsedOptions parsed;
    std::ostringstream help;
    help << "Usage: pigeond [OPTIONS]\n\n" << all;
    parsed.help_text = help.str();

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).run(), vm);
        parsed.show_help = vm.count("help") > 0;
        parsed.show_version = vm.count("version") > 0;
        if (parsed.show_help || parsed.show_version)
            return parsed;
        parsed.config.config_file = ReadConfigFile(vm, settings);
        po::notify(vm);
    } catch (const po::error& e) {
        throw OptionsError(e.what());
    }
    try {
        for (const auto& setting : Settings())
            Read(vm, setting, parsed.config);
    } catch (const OptionsError&) {
        throw;
    } catch (const std::exception& e) {
        throw OptionsError(e.what()); // no XDG directory to default to
    }
    CheckDependentRanges(parsed.config);
    ReadPassword(vm, parsed.config);
    return parsed;
}

} // namespace pigeon
