#include "Usage.hxx"

#include <algorithm>
#include <sstream>

namespace pigeon::ctl {
namespace po = boost::program_options;
using control::Source;

namespace {

// Where the help of a command starts, after two spaces of indent.
constexpr std::size_t kHelpColumn = 18;
constexpr std::size_t kLineWidth = 80;

// A command with its help, aligned; a long synopsis gets the help on the same
// line if that fits, else on the lines below.
void AppendHelp(std::string& text, const control::Command& command)
{
    const std::string synopsis = Synopsis(command);
    const std::string_view help = command.help;
    const bool one_line = help.find('\n') == std::string_view::npos;
    text += "  " + synopsis;
    if (synopsis.size() + 2 <= kHelpColumn)
        text.append(kHelpColumn - synopsis.size(), ' ');
    else if (one_line && 2 + synopsis.size() + 2 + help.size() <= kLineWidth)
        text += "  ";
    else
        text += "\n" + std::string(2 + kHelpColumn, ' ');
    for (const char c : help)
        text += c == '\n' ? "\n" + std::string(2 + kHelpColumn, ' ') : std::string(1, c);
    text += '\n';
}

} // namespace

std::string_view LastChoice(const control::Argument& argument)
{
    const auto bar = argument.choices.rfind('|');
    return bar == std::string_view::npos ? argument.choices : argument.choices.substr(bar + 1);
}

std::string OptionName(const control::Argument& argument)
{
    std::string name(argument.name);
    std::replace(name.begin(), name.end(), '_', '-');
    return name;
}

std::string Synopsis(const control::Command& command, bool choices)
{
    std::string text(command.words);
    for (const auto& a : command.Arguments()) {
        switch (a.source) {
        case Source::Word:
        case Source::Words:
        case Source::WordOrStdin:
            text.append(" ").append(choices && !a.choices.empty() ? a.choices : a.metavar);
            break;
        case Source::OptionalWord:
            text.append(" [").append(a.metavar).append("]");
            break;
        case Source::Switch:
            text += " [--" + OptionName(a) + "]";
            break;
        case Source::Option:
        case Source::Number:
            text += " [--" + OptionName(a) + " " + std::string(a.metavar) + "]";
            break;
        case Source::MaybeValue:
            text += " [--" + OptionName(a) + "[=" + std::string(a.metavar) + "]]";
            break;
        case Source::StdinLine: // not on the command line
            break;
        }
    }
    return text;
}

std::string UsageLine(std::string_view first)
{
    const std::string prefix = std::string(first) + " ";
    std::string subcommands;
    std::string alone;
    for (const auto& command : control::kCommands) {
        if (command.words.starts_with(prefix))
            subcommands +=
                (subcommands.empty() ? "" : " | ") + Synopsis(command, true).substr(prefix.size());
        else if (command.words == first)
            alone = Synopsis(command, true);
    }
    return "usage: pigeonctl " +
           (subcommands.empty() ? alone : std::string(first) + " [" + subcommands + "]");
}

po::options_description VisibleOptions()
{
    po::options_description options("Options");
    options.add_options()("help,h", "show this help and exit")(
        "version", "show the version and exit")("json", "print the reply as JSON, for scripts");
    for (const auto& command : control::kCommands) {
        for (const auto& a : command.Arguments()) {
            const std::string name = OptionName(a);
            const std::string help(a.help);
            if (options.find_nothrow(name, false) != nullptr)
                continue; // shared by several commands (--limit): its first row says it all
            if (a.source == Source::Switch)
                options.add_options()(name.c_str(), help.c_str());
            else if (a.source == Source::Option)
                options.add_options()(name.c_str(), po::value<std::string>(), help.c_str());
            else if (a.source == Source::Number)
                options.add_options()(name.c_str(), po::value<int>()->default_value(a.fallback),
                                      help.c_str());
            else if (a.source == Source::MaybeValue)
                options.add_options()(
                    name.c_str(),
                    po::value<std::string>()->implicit_value(std::string(LastChoice(a)), ""),
                    help.c_str());
        }
    }
    options.add_options()("runtime-dir", po::value<std::string>(),
                          "reach the pigeond started with this --runtime-dir");
    return options;
}

std::string HelpText()
{
    std::string text = "Usage: pigeonctl [OPTIONS] COMMAND [ARGS]\n\nCommands:\n";
    for (const auto& command : control::kCommands)
        if (!command.words.empty())
            AppendHelp(text, command);
    std::ostringstream options;
    options << VisibleOptions();
    return text + "\n" + options.str();
}

} // namespace pigeon::ctl
