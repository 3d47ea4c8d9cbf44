#include "Options.hxx"

#include "util/Xdg.hxx"
#include "xmpp/Jid.hxx"

#include <boost/program_options.hpp>

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <unistd.h>
#include <pwd.h>

namespace pigeon {
namespace po = boost::program_options;

namespace {

std::string LoginName()
{
    if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_name != nullptr)
        return pw->pw_name;
    if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0')
        return user;
    return "pigeon";
}

CarryPolicy ParseCarry(const std::string& value)
{
    if (value == "on")
        return CarryPolicy::On;
    if (value == "off")
        return CarryPolicy::Off;
    if (value == "contacts")
        return CarryPolicy::Contacts;
    throw OptionsError("carry must be on, off or contacts, not '" + value + "'");
}

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

template <typename T> void CheckRange(const char* name, T value, T low, T high)
{
    if (value < low || value > high)
        throw OptionsError(std::string(name) + " must be between " + std::to_string(low) +
                           " and " + std::to_string(high) + ", not " + std::to_string(value));
}

// Options that may stand in pigeon.conf as well as on the command line.
po::options_description SettingOptions()
{
    po::options_description d("Settings (also valid in pigeon.conf, without the dashes)");
    d.add_options()
        ("data-dir", po::value<std::string>(), "where the message store lives (default $XDG_DATA_HOME/pigeon)")
        ("runtime-dir", po::value<std::string>(), "where the control socket lives (default $XDG_RUNTIME_DIR/pigeon)")
        ("log-level", po::value<std::string>()->default_value("info"), "error, warning, notice, info or debug")
        ("name", po::value<std::string>(), "user part of our link-local name (default: login name)")
        ("carriers", po::value<int>()->default_value(5), "hand each message to at most this many carriers")
        ("carry", po::value<std::string>()->default_value("on"), "carry for others: on, off or contacts")
        ("ttl", po::value<int>()->default_value(168), "hours a carried message is kept for upload")
        ("max-body", po::value<std::size_t>()->default_value(64 * 1024), "largest message body in bytes")
        ("max-stanza", po::value<std::size_t>()->default_value(256 * 1024), "largest stanza a peer may send, in bytes")
        ("link-local", po::value<bool>()->default_value(true), "announce ourselves over mDNS and talk to neighbours (yes/no)")
        ("port", po::value<int>()->default_value(5298), "TCP port for link-local streams (0: any free port)")
        ("account", po::value<std::string>()->default_value(""), "our XMPP account JID, if any")
        ("first-name", po::value<std::string>()->default_value(""), "first name to publish to neighbours (empty: none)")
        ("last-name", po::value<std::string>()->default_value(""), "last name to publish to neighbours (empty: none)")
        ("nick", po::value<std::string>()->default_value(""), "nickname to publish to neighbours (empty: none)")
        ("carry-quota", po::value<std::int64_t>()->default_value(100000), "most messages held for others at once")
        ("link-idle", po::value<int>()->default_value(60), "seconds before an idle link-local stream is closed")
        ("password-file", po::value<std::string>(), "file holding the account password (mode 0600)")
        ("password-command", po::value<std::string>(), "command that prints the account password")
        ("bosh-url", po::value<std::string>()->default_value(""), "the server's BOSH endpoint, e.g. https://example.org/http-bind (default: discovered)")
        ("host-meta-url", po::value<std::string>()->default_value(""), "where to discover the BOSH endpoint (default https://DOMAIN/.well-known/host-meta)")
        ("probe-url", po::value<std::string>()->default_value(""), "where to probe connectivity (default: the BOSH URL)")
        ("probe-interval-max", po::value<int>()->default_value(300), "longest wait between connectivity probes, in seconds")
        ("only-pigeons", po::value<bool>()->default_value(false), "never send our own messages to the server; carriers only (yes/no)");
    return d;
}

} // namespace

std::string ReadPasswordFile(const std::string& path)
{
    struct stat st{};
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
    generic.add_options()
        ("help,h", "show this help and exit")
        ("version", "show the version and exit")
        ("config", po::value<std::string>(), "read settings from this file (default $XDG_CONFIG_HOME/pigeon/pigeon.conf)");
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
        parsed.config.config_file = config_file;
        if (file) {
            try {
                // Values already stored from the command line are kept: flags win.
                po::store(po::parse_config_file(file, settings), vm);
            } catch (const po::error& e) {
                throw OptionsError(config_file.string() + ": " + e.what());
            }
        }
        po::notify(vm);
    } catch (const po::error& e) {
        throw OptionsError(e.what());
    }

    DaemonConfig& c = parsed.config; // config_file is already set
    try {
        c.data_dir = vm.count("data-dir") ? std::filesystem::path(vm["data-dir"].as<std::string>())
                                          : xdg::DataDir();
        c.runtime_dir = vm.count("runtime-dir")
                            ? std::filesystem::path(vm["runtime-dir"].as<std::string>())
                            : xdg::RuntimeDir();
        c.log_level = log::ParseLevel(vm["log-level"].as<std::string>());
    } catch (const std::exception& e) {
        throw OptionsError(e.what());
    }
    if (c.data_dir.empty() || c.runtime_dir.empty())
        throw OptionsError("data-dir and runtime-dir must not be empty");
    c.name = vm.count("name") ? vm["name"].as<std::string>() : LoginName();
    if (c.name.empty() || c.name.find_first_of("@/ \t\"&'<>:") != std::string::npos)
        throw OptionsError("name must be non-empty and must not contain @ / : < > & ' \" or spaces");
    c.carriers = vm["carriers"].as<int>();
    CheckRange("carriers", c.carriers, 1, 100);
    c.carry = ParseCarry(vm["carry"].as<std::string>());
    c.ttl_hours = vm["ttl"].as<int>();
    CheckRange("ttl", c.ttl_hours, 1, 24 * 365);
    c.max_stanza = vm["max-stanza"].as<std::size_t>();
    CheckRange<std::size_t>("max-stanza", c.max_stanza, 4096, 2 << 20);
    c.max_body = vm["max-body"].as<std::size_t>();
    // A body travels inside a forwarded stanza: leave room for the envelope.
    CheckRange<std::size_t>("max-body", c.max_body, 1, c.max_stanza / 2);
    c.link_local = vm["link-local"].as<bool>();
    c.port = vm["port"].as<int>();
    CheckRange("port", c.port, 0, 65535);
    c.account = vm["account"].as<std::string>();
    if (!c.account.empty()) {
        const auto jid = xmpp::Jid::TryParse(c.account);
        if (!jid || jid->Local().empty() || !jid->IsBare())
            throw OptionsError("account must be a bare JID like user@example.org, not '" +
                               c.account + "'");
        c.account = jid->ToString();
    }
    c.first_name = vm["first-name"].as<std::string>();
    c.last_name = vm["last-name"].as<std::string>();
    c.nick = vm["nick"].as<std::string>();
    c.carry_quota = vm["carry-quota"].as<std::int64_t>();
    CheckRange<std::int64_t>("carry-quota", c.carry_quota, 0, 100'000'000);
    c.link_idle_seconds = vm["link-idle"].as<int>();
    CheckRange("link-idle", c.link_idle_seconds, 1, 24 * 3600);
    c.bosh_url = vm["bosh-url"].as<std::string>();
    c.probe_url = vm["probe-url"].as<std::string>();
    c.host_meta_url = vm["host-meta-url"].as<std::string>();
    for (const auto* url : {&c.bosh_url, &c.probe_url, &c.host_meta_url})
        if (!url->empty() && url->rfind("http://", 0) != 0 && url->rfind("https://", 0) != 0)
            throw OptionsError("'" + *url + "' is not an http:// or https:// URL");
    c.only_pigeons = vm["only-pigeons"].as<bool>();
    c.probe_interval_max = vm["probe-interval-max"].as<int>();
    CheckRange("probe-interval-max", c.probe_interval_max, 5, 24 * 3600);
    if (vm.count("password-file") && vm.count("password-command"))
        throw OptionsError("give password-file or password-command, not both");
    if (vm.count("password-file")) {
        c.password_file = vm["password-file"].as<std::string>();
        c.password = ReadPasswordFile(c.password_file);
    }
    else if (vm.count("password-command"))
        c.password = RunPasswordCommand(vm["password-command"].as<std::string>());
    return parsed;
}

} // namespace pigeon
