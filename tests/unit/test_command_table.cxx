// The command table (lib/control/Command.hxx) against everything else that
// lists the commands: the protocol document, pigeonctl --help, the bash
// completion and pigeonctl(1). Each must name every command and nothing else.

#include "Request.hxx"
#include "SourceFile.hxx"
#include "Usage.hxx"
#include "control/Command.hxx"

#include <doctest/doctest.h>

#include <boost/program_options.hpp>

#include <map>
#include <regex>
#include <set>

using namespace pigeon;
using control::kCommands;
using test::Lines;
using test::ReadSourceFile;
using Names = std::set<std::string>;

namespace {

Names WireNames()
{
    Names names;
    for (const auto& command : kCommands)
        names.emplace(command.wire);
    return names;
}

// pigeonctl's commands: each row's first word.
Names FirstWords()
{
    Names names;
    for (const auto& command : kCommands)
        if (!command.words.empty())
            names.emplace(command.words.substr(0, command.words.find(' ')));
    return names;
}

// pigeonctl's options, with dashes: its own and the commands'.
Names OptionNames()
{
    Names names = {"--help", "--version", "--json", "--runtime-dir"};
    for (const auto& command : kCommands)
        for (const auto& argument : command.Arguments())
            if (control::IsOption(argument))
                names.insert("--" + ctl::OptionName(argument));
    return names;
}

// What the completion should offer after a command's first word: its
// subcommands, or the choices of its first argument.
std::map<std::string, Names> SecondWords()
{
    std::map<std::string, Names> second;
    for (const auto& command : kCommands) {
        const auto space = command.words.find(' ');
        if (space != std::string_view::npos)
            second[std::string(command.words.substr(0, space))].emplace(
                command.words.substr(space + 1));
        const auto args = command.Arguments();
        if (!args.empty() && !args[0].choices.empty()) {
            std::string choices(args[0].choices);
            for (auto& c : choices)
                c = c == '|' ? ' ' : c;
            second[std::string(command.words)] = test::Words(choices);
        }
    }
    return second;
}

std::string Cell(const std::string& text)
{
    const auto start = text.find_first_not_of(' ');
    return start == std::string::npos ? ""
                                      : text.substr(start, text.find_last_not_of(' ') - start + 1);
}

// The rows of doc/control-protocol.md's command table: `cmd` -> its cells.
std::map<std::string, std::vector<std::string>> ProtocolRows()
{
    std::map<std::string, std::vector<std::string>> rows;
    bool in_commands = false;
    bool in_table = false; // below the header row
    for (const auto& line : Lines(ReadSourceFile("doc/control-protocol.md"))) {
        if (line.starts_with("## "))
            in_commands = line == "## Commands";
        in_table = in_commands && (line.starts_with("|---") || (in_table && line.starts_with("|")));
        if (!in_table || !line.starts_with("| `"))
            continue;
        std::vector<std::string> cells;
        std::string cell;
        for (std::size_t i = 1; i < line.size(); ++i) {
            if (line[i] == '|' && line[i - 1] != '\\') {
                cells.push_back(Cell(cell));
                cell.clear();
            } else {
                cell += line[i];
            }
        }
        REQUIRE(cells.size() == 3);
        rows[cells[0].substr(1, cells[0].size() - 2)] = cells;
    }
    return rows;
}

} // namespace

TEST_CASE("the table is consistent with itself")
{
    Names wires;
    Names words;
    for (const auto& command : kCommands) {
        CAPTURE(command.wire);
        CHECK(wires.emplace(command.wire).second);
        CHECK(!command.help.empty());
        if (!command.words.empty())
            CHECK(words.emplace(command.words).second);
        for (const auto& argument : command.Arguments())
            CHECK((control::IsOption(argument) == !argument.help.empty()));
    }
}

TEST_CASE("doc/control-protocol.md documents every command, its arguments, and nothing else")
{
    const auto rows = ProtocolRows();
    Names documented;
    for (const auto& [name, cells] : rows)
        documented.insert(name);
    CHECK(documented == WireNames());
    for (const auto& command : kCommands) {
        CAPTURE(command.wire);
        const auto row = rows.find(std::string(command.wire));
        if (row == rows.end())
            continue;
        for (const auto& argument : command.Arguments())
            CHECK(row->second[1].find("`" + std::string(argument.name) + "`") != std::string::npos);
        const bool later = command.reply == control::Reply::Later;
        CHECK(row->second[2].starts_with("later:") == later);
    }
}

TEST_CASE("pigeonctl --help lists every command and option, and nothing else")
{
    const std::string help = ctl::HelpText();
    const auto commands_start = help.find("\nCommands:\n");
    const auto options_start = help.find("\nOptions:\n");
    REQUIRE(commands_start != std::string::npos);
    REQUIRE(options_start != std::string::npos);

    Names listed;
    const std::regex command_line("  ([a-z].*?)(  .*)?");
    for (const auto& line : Lines(help.substr(commands_start, options_start - commands_start))) {
        std::smatch match;
        if (std::regex_match(line, match, command_line))
            listed.insert(match[1]);
    }
    Names expected;
    for (const auto& command : kCommands)
        if (!command.words.empty())
            expected.insert(ctl::Synopsis(command));
    CHECK(listed == expected);

    Names options;
    const std::regex option("(--[a-z-]+)");
    const std::string options_text = help.substr(options_start);
    for (auto it = std::sregex_iterator(options_text.begin(), options_text.end(), option);
         it != std::sregex_iterator(); ++it)
        options.insert((*it)[1]);
    options.erase("--runtime-dir"); // also named in its own help text
    CHECK(options == [] {
        auto names = OptionNames();
        names.erase("--runtime-dir");
        return names;
    }());
    CHECK(options_text.find("--runtime-dir") != std::string::npos);
}

TEST_CASE("the bash completion offers the table's commands, second words and options")
{
    const std::string script = ReadSourceFile("completions/pigeonctl.bash");
    std::smatch match;

    REQUIRE(std::regex_search(script, match, std::regex("words=\"(--[^\"]*)\"")));
    CHECK(test::Words(match[1]) == OptionNames());

    REQUIRE(std::regex_search(script, match, std::regex("\n\\s*words=\"([a-z][^\"]*)\"")));
    CHECK(test::Words(match[1]) == FirstWords());

    std::map<std::string, Names> second;
    const std::regex arm("\n\\s*([a-z]+)\\) words=\"([^\"]*)\" ;;");
    for (auto it = std::sregex_iterator(script.begin(), script.end(), arm);
         it != std::sregex_iterator(); ++it)
        second[(*it)[1]] = test::Words((*it)[2]);
    CHECK(second == SecondWords());

    // The options whose value is the next word, skipped when finding the command.
    REQUIRE(std::regex_search(script, match, std::regex("\n\\s*(--[a-z-]+( \\| --[a-z-]+)*)\\)")));
    std::string skipped = match[1];
    for (auto& c : skipped)
        c = c == '|' ? ' ' : c;
    Names with_value = {"--runtime-dir"};
    for (const auto& command : kCommands)
        for (const auto& argument : command.Arguments())
            if (argument.source == control::Source::Option ||
                argument.source == control::Source::Number)
                with_value.insert("--" + ctl::OptionName(argument));
    CHECK(test::Words(skipped) == with_value);
}

TEST_CASE("pigeonctl(1) documents every command and option")
{
    Names commands;
    Names options;
    std::string section;
    bool entry = false; // the line after .TP names what the paragraph is about
    for (const auto& line : Lines(ReadSourceFile("man/pigeonctl.1"))) {
        if (line.starts_with(".SH "))
            section = line.substr(4);
        if (entry && section == "COMMANDS" && line.starts_with(".B")) {
            // The bold words before the first argument: .B account register,
            // .BI "account set" " jid", .BR presence " " avail.
            std::string rest = line.substr(line.find(' ') + 1);
            if (rest.starts_with('"'))
                rest = rest.substr(1, rest.find('"', 1) - 1);
            else if (line.starts_with(".BI ") || line.starts_with(".BR "))
                rest = rest.substr(0, rest.find(' '));
            commands.insert(rest.substr(0, rest.find(" \\")));
        }
        if (entry && section == "OPTIONS") {
            std::string text = std::regex_replace(line, std::regex(R"(\\-)"), "-");
            std::smatch match;
            if (std::regex_search(text, match, std::regex("(--[a-z][a-z-]*)")))
                options.insert(match[1]);
        }
        entry = line == ".TP";
    }
    Names expected;
    for (const auto& command : kCommands)
        if (!command.words.empty())
            expected.emplace(command.words);
    CHECK(commands == expected);
    CHECK(options == OptionNames());
}

TEST_CASE("pigeonctl's words make the requests the table describes")
{
    namespace po = boost::program_options;
    // The words, then the options.
    const auto request = [](std::vector<std::string> words, std::vector<const char*> argv = {}) {
        argv.insert(argv.begin(), "pigeonctl");
        po::variables_map options;
        po::store(po::parse_command_line(int(argv.size()), argv.data(), ctl::VisibleOptions()),
                  options);
        po::notify(options);
        const std::string first = words.front();
        words.erase(words.begin());
        return ctl::MakeRequest(first, words, options).request;
    };
    CHECK(request({"contacts", "add", "a@b.c"}) ==
          control::Json{{"cmd", "contacts-add"}, {"jid", "a@b.c"}, {"name", ""}});
    CHECK(request({"peers"}, {"--log", "--limit", "7"}) ==
          control::Json{{"cmd", "peers"}, {"log", true}, {"limit", 7}});
    // 0: pigeond's default (200 events of the log).
    CHECK(request({"peers"}) == control::Json{{"cmd", "peers"}, {"log", false}, {"limit", 0}});
    CHECK(request({"outbox"}, {"--limit", "5", "--before", "12.3"}) ==
          control::Json{{"cmd", "outbox"}, {"limit", 5}, {"before", "12.3"}});
    CHECK(request({"search", "late", "subway"}) ==
          control::Json{{"cmd", "search"}, {"text", "late subway "}});
    CHECK(request({"presence", "dnd"}) == control::Json{{"cmd", "presence"}, {"status", "dnd"}});
    CHECK_THROWS_WITH_AS(request({"account", "set"}),
                         "usage: pigeonctl account [register | passwd | set JID [--bosh-url URL]]",
                         ctl::UsageError);
    CHECK_THROWS_WITH_AS(request({"presence"}), "usage: pigeonctl presence avail|away|dnd",
                         ctl::UsageError);
    CHECK_THROWS_WITH_AS(request({"ping"}), "unknown command 'ping'", ctl::UsageError);
}
