#include "Request.hxx"

#include "Usage.hxx"
#include "control/Command.hxx"

#include <cstdint>
#include <iostream>

namespace pigeon::ctl {
namespace po = boost::program_options;
using control::Source;

namespace {

// pigeond refuses bodies over max-body (at most 1 MiB); stop reading well past
// that so its message, which names the limit, is what the user sees.
constexpr std::size_t kMaxStdinBytes = 2u << 20;

std::string ReadStdin()
{
    std::string text;
    char buffer[65536];
    while (std::cin.read(buffer, sizeof(buffer)) || std::cin.gcount() > 0) {
        text.append(buffer, std::size_t(std::cin.gcount()));
        if (text.size() > kMaxStdinBytes)
            throw UsageError("standard input is larger than " + std::to_string(kMaxStdinBytes) +
                             " bytes");
    }
    if (!text.empty() && text.back() == '\n')
        text.pop_back(); // the newline `echo` and editors add is not part of the message
    return text;
}

// A password: one line of standard input, without its newline.
std::string ReadPasswordLine(const control::Command& command)
{
    std::string line;
    if (!std::getline(std::cin, line) || line.empty())
        throw UsageError(std::string(command.words) + " reads the password from standard input");
    return line;
}

// The row `first` names (one word: "contacts", not "contacts add"); a
// subcommand ("account set") also takes the first of the words after it.
std::size_t FindRow(const std::string& first, const std::vector<std::string>& words)
{
    for (std::size_t i = 0; i < control::kCommandCount; ++i)
        if (!words.empty() && control::kCommands[i].words == first + " " + words[0])
            return i;
    for (std::size_t i = 0; i < control::kCommandCount; ++i)
        if (first.find(' ') == std::string::npos && control::kCommands[i].words == first)
            return i;
    throw UsageError("unknown command '" + first + "'");
}

// Whether `count` words fit the command's arguments.
bool WordsFit(const control::Command& command, std::size_t count)
{
    std::size_t least = 0;
    std::size_t most = 0;
    for (const auto& a : command.Arguments()) {
        const bool word = a.source == Source::Word || a.source == Source::WordOrStdin;
        least += word || a.source == Source::Words ? 1 : 0;
        most += word || a.source == Source::OptionalWord ? 1 : 0;
        if (a.source == Source::Words)
            most = SIZE_MAX;
    }
    return count >= least && count <= most;
}

control::Json ValueOf(const control::Command& command, const control::Argument& argument,
                      const std::vector<std::string>& words, std::size_t& next,
                      const po::variables_map& options)
{
    const std::string option = OptionName(argument);
    switch (argument.source) {
    case Source::Word:
        return words[next++];
    case Source::WordOrStdin: {
        const std::string& word = words[next++];
        return word == "-" ? ReadStdin() : word;
    }
    case Source::OptionalWord:
        return next < words.size() ? words[next++] : std::string();
    case Source::Words: {
        std::string text;
        for (; next < words.size(); ++next)
            text += words[next] + " ";
        return text;
    }
    case Source::StdinLine:
        return ReadPasswordLine(command);
    case Source::Switch:
        return options.count(option) > 0;
    case Source::Option:
        return options.count(option) > 0 ? options[option].as<std::string>() : std::string();
    case Source::Number:
        return options[option].as<int>();
    case Source::MaybeValue:
        return options.count(option) > 0 ? options[option].as<std::string>() : std::string();
    }
    return nullptr;
}

} // namespace

Invocation MakeRequest(const std::string& first, const std::vector<std::string>& words,
                       const po::variables_map& options)
{
    const std::size_t row = FindRow(first, words);
    const control::Command& command = control::kCommands[row];
    const bool subcommand = command.words != first;
    const std::vector<std::string> rest(words.begin() + (subcommand ? 1 : 0), words.end());
    if (!WordsFit(command, rest.size()))
        throw UsageError(UsageLine(first));
    Invocation invocation{row, {{"cmd", std::string(command.wire)}}};
    std::size_t next = 0;
    for (const auto& argument : command.Arguments())
        if (!argument.local) // pigeonctl's own: its caller reads it
            invocation.request[std::string(argument.name)] =
                ValueOf(command, argument, rest, next, options);
    return invocation;
}

} // namespace pigeon::ctl
