#include "ConfigFile.hxx"
#include "TempDir.hxx"

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

using namespace pigeon;
using test::TempDir;

namespace {

std::string Read(const std::filesystem::path& file)
{
    std::ifstream in(file);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

TEST_CASE("rewriting settings keeps every other line")
{
    const std::string before = "# my pigeon\n"
                               "carriers = 3\n"
                               "  account=old@example.org  \n"
                               "\n"
                               "password-command = pass show xmpp\n"
                               "account = older@example.org\n"
                               "nick = El # the nickname";
    const std::string after =
        RewriteSettings(before, {{"account", "new@example.org"},
                                 {"bosh-url", "https://example.org/http-bind"},
                                 {"password-command", std::nullopt},
                                 {"last-name", std::nullopt}});
    CHECK(after == "# my pigeon\n"
                   "carriers = 3\n"
                   "account = new@example.org\n"
                   "\n"
                   "nick = El # the nickname\n"
                   "bosh-url = https://example.org/http-bind\n");
    // A key that is only a prefix of another, or a comment naming it, is not it.
    CHECK(RewriteSettings("#account = x\naccounts = y\n", {{"account", "a@b.c"}}) ==
          "#account = x\naccounts = y\naccount = a@b.c\n");
    CHECK(RewriteSettings("", {{"account", "a@b.c"}}) == "account = a@b.c\n");
}

TEST_CASE("saving an account writes a private password file and the config")
{
    TempDir temp;
    const auto config = temp.dir / "pigeon/pigeon.conf";
    const auto password = temp.dir / "pigeon/password";
    std::filesystem::create_directories(config.parent_path());
    std::ofstream(config) << "# keep me\ncarry = contacts\n";
    SaveAccount({config, password}, "elaine@example.org", "", "s3cret");
    CHECK(Read(password) == "s3cret\n");
    struct stat st {};
    REQUIRE(stat(password.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(Read(config) == "# keep me\ncarry = contacts\naccount = elaine@example.org\n"
                          "password-file = " +
                              password.string() + "\n");
    CHECK_FALSE(std::filesystem::exists(config.string() + ".new"));
}

TEST_CASE("an account that cannot be saved changes nothing")
{
    TempDir temp;
    const auto config = temp.dir / "pigeon.conf";
    std::ofstream(config) << "carry = off\n";
    // A value pigeon.conf cannot hold.
    CHECK_THROWS_AS(SaveAccount({config, temp.dir / "password"}, "elaine@example.org",
                                "https://example.org/#x", "pw"),
                    std::runtime_error);
    // A password file where no file can be: its directory is a file.
    CHECK_THROWS_WITH_AS(SaveAccount({config, config / "password"}, "elaine@example.org", "", "pw"),
                         doctest::Contains("cannot write"), std::runtime_error);
    CHECK(Read(config) == "carry = off\n");
    CHECK_FALSE(std::filesystem::exists(temp.dir / "password"));
}
