#pragma once
// pigeonctl's help and usage lines, written from control::kCommands.

#include "control/Command.hxx"

#include <boost/program_options/options_description.hpp>

#include <string>
#include <string_view>

namespace pigeon::ctl {

// The options pigeonctl --help lists: its own and those of the commands.
boost::program_options::options_description VisibleOptions();
// What pigeonctl --help prints.
std::string HelpText();
// A command's words and arguments, "account set JID [--bosh-url URL]"; with
// `choices`, an argument that has them shows them instead of its metavar.
std::string Synopsis(const control::Command& command, bool choices = false);
// "usage: pigeonctl ..." for the command named `first` (its first word); a
// word with subcommands lists them all.
std::string UsageLine(std::string_view first);
// What a MaybeValue option given alone means: its last choice.
std::string_view LastChoice(const control::Argument& argument);
// The option an argument is given with, without dashes: bosh_url -> bosh-url.
std::string OptionName(const control::Argument& argument);

} // namespace pigeon::ctl
