// The settings table (cmd/pigeond/Settings.cxx) against DaemonConfig's
// defaults, pigeond --help, pigeon.conf(5) and pigeond(8): each must list
// every setting, with its default and range, and nothing else.

#include "Choices.hxx"
#include "Options.hxx"
#include "Settings.hxx"
#include "SourceFile.hxx"
#include "TempDir.hxx"

#include <doctest/doctest.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <regex>

using namespace pigeon;
using test::Lines;
using test::ReadSourceFile;
using Names = std::set<std::string>;

namespace {

Names SettingNames(const std::string& prefix = "")
{
    Names names;
    for (const auto& setting : Settings())
        names.insert(prefix + std::string(setting.name));
    return names;
}

const Setting* Named(std::string_view name)
{
    for (const auto& setting : Settings())
        if (setting.name == name)
            return &setting;
    return nullptr;
}

std::string DefaultText(const Setting& setting)
{
    return setting.fallback ? ValueText(setting, *setting.fallback) : std::string();
}

// A man page line as plain text: no request, fonts, quotes or escaped dashes.
std::string Plain(std::string line)
{
    if (line.starts_with('.'))
        line = line.find(' ') == std::string::npos ? "" : line.substr(line.find(' ') + 1);
    line = std::regex_replace(line, std::regex(R"(\\f[BIRP])"), "");
    line = std::regex_replace(line, std::regex(R"(\\-)"), "-");
    line = std::regex_replace(line, std::regex(R"(\\\(dq|")"), "");
    return line;
}

struct ManEntry {
    std::string tags; // what the entry is about: ".TP" and ".TQ" lines
    std::string text; // tags and paragraph, white space folded
};

// The .TP entries of a man page's OPTIONS section.
std::vector<ManEntry> OptionEntries(const std::string& page)
{
    std::vector<ManEntry> entries;
    bool in_options = false;
    bool in_entry = false;
    bool tag_next = false;
    for (const auto& line : Lines(ReadSourceFile(page))) {
        if (line.starts_with(".SH "))
            in_options = line == ".SH OPTIONS";
        if (!in_options)
            continue;
        if (line == ".TP" || line == ".TQ") {
            if (line == ".TP")
                entries.emplace_back();
            in_entry = tag_next = true;
            continue;
        }
        if (line.starts_with(".SS") || line.starts_with(".PP") || line.starts_with(".SH")) {
            in_entry = false;
            continue;
        }
        if (!in_entry)
            continue;
        if (tag_next)
            entries.back().tags += " " + Plain(line);
        entries.back().text += " " + Plain(line);
        tag_next = false;
    }
    for (auto& entry : entries)
        entry.text = std::regex_replace(entry.text, std::regex(R"(\s+)"), " ");
    return entries;
}

// `text` says `words`, not followed by more of a word or number.
bool Says(const std::string& text, const std::string& words)
{
    for (auto at = text.find(words); at != std::string::npos; at = text.find(words, at + 1)) {
        const auto after = at + words.size();
        if (after == text.size() || !std::isalnum(static_cast<unsigned char>(text[after])))
            return true;
    }
    return false;
}

// Checks a man page entry against its row: default, range and choices.
void CheckEntry(const Setting& setting, const std::string& text, bool empty_is_said)
{
    CAPTURE(setting.name);
    CAPTURE(text);
    const std::string fallback = DefaultText(setting);
    if (!fallback.empty())
        CHECK(Says(text, "Default: " + fallback));
    else if (setting.fallback && empty_is_said)
        CHECK(Says(text, "Default: empty"));
    if (setting.high_of != nullptr)
        CHECK(Says(text, std::to_string(setting.low) + " to"));
    else if (setting.high != 0)
        CHECK(Says(text, std::to_string(setting.low) + " to " + std::to_string(setting.high)));
    if (!setting.choices.empty())
        for (const auto choice : ChoiceNames(setting.choices))
            CHECK(Says(text, std::string(choice)));
}

} // namespace

TEST_CASE("every setting has one row, and DaemonConfig starts at its default")
{
    const DaemonConfig config;
    for (const auto& setting : Settings()) {
        CAPTURE(setting.name);
        CHECK(&SettingOf(setting.member) == &setting);
        CHECK(!setting.help.empty());
        if (setting.fallback)
            CHECK(ValueText(setting, ValueOf(setting, config)) == DefaultText(setting));
        // The choices name the enumeration's values, each its own.
        for (const auto choice : ChoiceNames(setting.choices)) {
            DaemonConfig chosen;
            Assign(setting, std::string(choice), chosen);
            CHECK(ValueText(setting, ValueOf(setting, chosen)) == choice);
        }
    }
}

TEST_CASE("every setting's default, written in pigeon.conf, reads back as itself")
{
    test::TempDir temp;
    std::ofstream conf(temp.dir / "pigeon.conf");
    for (const auto& setting : Settings())
        if (setting.fallback)
            conf << setting.name << " = " << DefaultText(setting) << "\n";
    conf.close();
    setenv("XDG_RUNTIME_DIR", temp.dir.c_str(), 1);
    setenv("XDG_DATA_HOME", temp.dir.c_str(), 1);
    const std::string path = (temp.dir / "pigeon.conf").string();
    const char* argv[] = {"pigeond", "--config", path.c_str()};
    const auto config = ParseDaemonOptions(3, argv).config;
    for (const auto& setting : Settings())
        if (setting.fallback) {
            CAPTURE(setting.name);
            CHECK(ValueText(setting, ValueOf(setting, config)) == DefaultText(setting));
        }
}

TEST_CASE("pigeond --help lists every setting with its default, and nothing else")
{
    const char* argv[] = {"pigeond", "--help"};
    const std::string help = ParseDaemonOptions(2, argv).help_text;
    const auto settings_start = help.find("\nSettings");
    REQUIRE(settings_start != std::string::npos);

    Names generic;
    Names listed;
    const std::regex option(R"(  (?:-h \[ )?(--[a-z-]+)(?: \])?( arg)?(?: \(=([^)]*)\))?.*)");
    for (const auto& line : Lines(help)) {
        std::smatch match;
        if (!std::regex_match(line, match, option))
            continue;
        const bool is_setting = help.find(line) > settings_start;
        (is_setting ? listed : generic).insert(match[1]);
        if (!is_setting)
            continue;
        const Setting* setting = Named(match[1].str().substr(2));
        REQUIRE_MESSAGE(setting != nullptr, "an option without a row: " << match[1]);
        // Program_options shows yes/no as 1/0, and no empty default.
        std::string shown = DefaultText(*setting);
        shown = shown == "yes" ? "1" : shown == "no" ? "0" : shown;
        CAPTURE(line);
        CHECK(match[3].str() == shown);
    }
    CHECK(listed == SettingNames("--"));
    CHECK(generic == Names{"--help", "--version", "--config"});
}

TEST_CASE("pigeon.conf(5) documents every setting with its default, range and choices")
{
    Names documented;
    for (const auto& entry : OptionEntries("man/pigeon.conf.5")) {
        std::istringstream tags(entry.tags);
        for (std::string key; tags >> key;) {
            if (const Setting* setting = Named(key)) { // not "=", "dir", "on", "|"
                documented.insert(key);
                CheckEntry(*setting, entry.text, true);
            }
        }
        // Every entry is about a setting: its tag starts with one.
        CHECK_MESSAGE(Named(entry.tags.substr(1, entry.tags.find(' ', 1) - 1)) != nullptr,
                      entry.tags);
    }
    CHECK(documented == SettingNames());
}

TEST_CASE("pigeond(8) lists every setting with its default and range, and nothing else")
{
    Names documented;
    const std::regex flag("--([a-z][a-z-]*)");
    for (const auto& entry : OptionEntries("man/pigeond.8")) {
        for (auto it = std::sregex_iterator(entry.tags.begin(), entry.tags.end(), flag);
             it != std::sregex_iterator(); ++it) {
            const std::string name = (*it)[1];
            documented.insert(name);
            if (const Setting* setting = Named(name))
                CheckEntry(*setting, entry.text, false);
        }
    }
    Names expected = SettingNames();
    expected.insert({"help", "version", "config"});
    CHECK(documented == expected);
}
