// SIGHUP's reconciliation of fresh settings with those in use: what each
// row of the settings table says happens, and pigeon.conf(5) listing the
// settings that need a restart.

#include "OptionsError.hxx"
#include "Reload.hxx"
#include "Settings.hxx"
#include "SourceFile.hxx"

#include <doctest/doctest.h>

#include <regex>

using namespace pigeon;
using Names = std::vector<std::string>;

namespace {

DaemonConfig Running()
{
    DaemonConfig c;
    c.data_dir = "/var/empty/data";
    c.runtime_dir = "/var/empty/run";
    c.name = "elaine";
    c.account = "elaine@example.org";
    c.password = "secret";
    return c;
}

} // namespace

TEST_CASE("nothing changed, nothing to do")
{
    const auto reloaded = Reconcile(Running(), Running());
    CHECK(reloaded.changed.empty());
    CHECK(reloaded.restart.empty());
    CHECK_FALSE(reloaded.new_uplink);
}

TEST_CASE("live settings take their new value at once")
{
    DaemonConfig fresh = Running();
    fresh.carriers = 7;
    fresh.carry = CarryPolicy::Contacts;
    fresh.nick = "Lainey";
    const auto reloaded = Reconcile(Running(), fresh);
    CHECK(reloaded.changed == Names{"carriers", "carry", "nick"});
    CHECK(reloaded.restart.empty());
    CHECK_FALSE(reloaded.new_uplink);
    CHECK(reloaded.config.carriers == 7);
    CHECK(reloaded.config.carry == CarryPolicy::Contacts);
    CHECK(reloaded.config.nick == "Lainey");
}

TEST_CASE("settings that need a restart keep the value in use")
{
    DaemonConfig fresh = Running();
    fresh.port = 6000;
    fresh.data_dir = "/elsewhere";
    fresh.ttl_hours = 2;
    const auto reloaded = Reconcile(Running(), fresh);
    CHECK(reloaded.restart == Names{"data-dir", "port"});
    CHECK(reloaded.changed == Names{"ttl"});
    CHECK(reloaded.config.port == Running().port);
    CHECK(reloaded.config.data_dir == Running().data_dir);
    CHECK(reloaded.config.ttl_hours == 2);
}

TEST_CASE("the account's settings and a new password need a new uplink")
{
    DaemonConfig fresh = Running();
    fresh.bosh_url = "https://example.org/http-bind";
    CHECK(Reconcile(Running(), fresh).new_uplink);
    fresh = Running();
    fresh.password = "new secret";
    const auto reloaded = Reconcile(Running(), fresh);
    CHECK(reloaded.new_uplink);
    CHECK(reloaded.changed == Names{"password"});
}

TEST_CASE("a live value that only fits a setting kept until restart is refused")
{
    DaemonConfig fresh = Running();
    fresh.max_stanza = 4 << 20; // needs a restart: stays at its default
    fresh.max_body = 1 << 20;   // fits only the new max-stanza
    CHECK_THROWS_AS(Reconcile(Running(), fresh), OptionsError);
}

TEST_CASE("pigeon.conf(5) names exactly the settings that need a restart")
{
    const std::string page = test::ReadSourceFile("man/pigeon.conf.5");
    const auto start = page.find("These need a restart");
    REQUIRE(start != std::string::npos);
    const std::string text = page.substr(start, page.find(".PP", start) - start);
    std::set<std::string> named;
    const std::regex word(R"(\.BR ([a-z\\-]+) ,?)");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), word);
         it != std::sregex_iterator(); ++it)
        named.insert(std::regex_replace((*it)[1].str(), std::regex(R"(\\-)"), "-"));
    std::set<std::string> restart;
    for (const auto& setting : Settings())
        if (setting.reload == Reload::Restart)
            restart.emplace(setting.name);
    CHECK(named == restart);
}
