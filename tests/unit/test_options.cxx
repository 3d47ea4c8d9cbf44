#include "Options.hxx"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <vector>

using namespace pigeon;

namespace {

// Points XDG_CONFIG_HOME (and friends) at a private directory for one test.
struct TempXdg {
    std::filesystem::path dir;
    TempXdg()
    {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "pigeon-opt-XXXXXX").string();
        dir = mkdtemp(pattern.data());
        setenv("XDG_CONFIG_HOME", (dir / "config").c_str(), 1);
        setenv("XDG_DATA_HOME", (dir / "data").c_str(), 1);
        setenv("XDG_RUNTIME_DIR", (dir / "run").c_str(), 1);
        std::filesystem::create_directories(dir / "config/pigeon");
    }
    ~TempXdg() { std::filesystem::remove_all(dir); }
    void WriteConfig(const std::string& text) const
    {
        std::ofstream(dir / "config/pigeon/pigeon.conf") << text;
    }
};

ParsedOptions Parse(std::vector<const char*> args)
{
    args.insert(args.begin(), "pigeond");
    return ParseDaemonOptions(int(args.size()), args.data());
}

} // namespace

TEST_CASE("defaults come from XDG and the documented values")
{
    TempXdg xdg;
    const auto c = Parse({}).config;
    CHECK(c.data_dir == xdg.dir / "data/pigeon");
    CHECK(c.runtime_dir == xdg.dir / "run/pigeon");
    CHECK(c.ControlSocket() == xdg.dir / "run/pigeon/control");
    CHECK(c.carriers == 5);
    CHECK(c.carry == CarryPolicy::On);
    CHECK(c.max_body == 64 * 1024);
    CHECK(c.max_stanza == 256 * 1024);
    CHECK(c.log_level == log::Level::Info);
    CHECK_FALSE(c.name.empty());
}

TEST_CASE("the config file is read and flags win over it")
{
    TempXdg xdg;
    xdg.WriteConfig(
        "# comment\ncarriers = 7\ncarry = contacts\nname = elaine\nlog-level = debug\n");
    auto c = Parse({}).config;
    CHECK(c.carriers == 7);
    CHECK(c.carry == CarryPolicy::Contacts);
    CHECK(c.name == "elaine");
    CHECK(c.log_level == log::Level::Debug);

    c = Parse({"--carriers", "3", "--data-dir", "/tmp/elsewhere"}).config;
    CHECK(c.carriers == 3);
    CHECK(c.carry == CarryPolicy::Contacts);
    CHECK(c.data_dir == "/tmp/elsewhere");
}

TEST_CASE("--config names another file, which must exist")
{
    TempXdg xdg;
    std::ofstream(xdg.dir / "other.conf") << "carriers = 9\n";
    const auto path = (xdg.dir / "other.conf").string();
    CHECK(Parse({"--config", path.c_str()}).config.carriers == 9);
    const auto missing = (xdg.dir / "missing.conf").string();
    CHECK_THROWS_WITH_AS(Parse({"--config", missing.c_str()}), doctest::Contains("cannot read"),
                         OptionsError);
}

TEST_CASE("a config file that is too large is refused before it is parsed")
{
    TempXdg xdg;
    // One endless comment line, as --config /dev/zero or a runaway file would give.
    xdg.WriteConfig("# " + std::string(300 * 1024, 'x') + "\ncarriers = 7\n");
    CHECK_THROWS_WITH_AS(Parse({}), doctest::Contains("larger than 256 KiB"), OptionsError);
    CHECK_THROWS_WITH_AS(Parse({"--config", "/dev/zero"}), doctest::Contains("larger than"),
                         OptionsError);
    xdg.WriteConfig("# " + std::string(200 * 1024, 'x') + "\ncarriers = 7\n");
    CHECK(Parse({}).config.carriers == 7);
}

TEST_CASE("bad settings are refused with a message naming them")
{
    TempXdg xdg;
    struct Case {
        std::vector<const char*> args;
        const char* config;
        const char* message;
    };
    const Case cases[] = {
        {{"--carriers", "0"}, "", "carriers must be between 1 and 100"},
        {{"--carriers", "many"}, "", "carriers"},
        {{"--carry", "sometimes"}, "", "carry must be on, off or contacts"},
        {{"--log-level", "loud"}, "", "unknown log level"},
        {{"--max-body", "300000"}, "", "max-body must be between"},
        {{"--name", "kramer@host"}, "", "name must"},
        {{"--bogus"}, "", "bogus"},
        {{}, "unknown-key = 1\n", "unknown-key"},
        {{}, "ttl = 0\n", "ttl must be between"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.message);
        xdg.WriteConfig(c.config);
        CHECK_THROWS_WITH_AS(Parse(c.args), doctest::Contains(c.message), OptionsError);
    }
}

TEST_CASE("help and version short-circuit")
{
    TempXdg xdg;
    xdg.WriteConfig("this is not = valid = config\n");
    auto parsed = Parse({"--help"});
    CHECK(parsed.show_help);
    CHECK(parsed.help_text.find("--data-dir") != std::string::npos);
    CHECK(Parse({"--version"}).show_version);
}
