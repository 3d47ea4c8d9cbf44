#pragma once
// Every control command, one row each (MPD's AllCommands): its name on the
// wire, pigeonctl's words for it, its arguments and where pigeonctl finds
// them, whether the reply waits on the XMPP server, and its line of help.
// pigeond binds each row to a handler and pigeonctl to a printer;
// BindsEveryCommand lets both prove at compile time that no row is left
// unbound. tests/unit/test_command_table.cxx checks doc/control-protocol.md,
// pigeonctl --help and completions/pigeonctl.bash against this table.

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace pigeon::control {

// Where pigeonctl finds an argument; it also decides the argument's JSON type
// and whether pigeond requires it (IsRequired).
enum class Source {
    Word,         // the next word on the command line
    OptionalWord, // the next word if there is one, else ""
    Words,        // every word left, at least one, each followed by a space
    WordOrStdin,  // the next word; "-" reads standard input instead
    StdinLine,    // the first line of standard input (a password)
    Switch,       // an option without a value (--log): a boolean
    Option,       // an option with a text value (--bosh-url URL), "" if not given
    Number,       // an option with a whole number (--limit N), `fallback` if not given
    MaybeValue,   // an option with or without a value (--wait, --wait=sent): `choices`;
                  // alone, it means the last choice
};

struct Argument {
    std::string_view name; // the request's member; an option is it with '-' for '_'
    Source source = Source::Word;
    std::string_view metavar; // how pigeonctl's help shows the value: JID, TEXT
    std::string_view choices; // "avail|away|dnd": the only values pigeond accepts
    std::string_view help;    // options: their line in pigeonctl --help
    int fallback = 0;         // Number: the value sent when the option is absent
    // pigeonctl's own (send --wait): read on the command line, never sent.
    bool local = false;
};

// Whether the reply comes at once, waits on the XMPP server (which also
// means the command needs an account), or is followed by a stream of lines
// until the client hangs up (watch).
enum class Reply { Now, Later, Stream };

inline constexpr std::size_t kMaxArguments = 5;

struct Command {
    std::string_view wire;  // the request's "cmd"
    std::string_view words; // pigeonctl's words ("account set"); "" if not on the command line
    Reply reply;
    std::string_view help; // pigeonctl --help; a '\n' goes on with an indented line
    std::array<Argument, kMaxArguments> args{}; // unused ones have no name

    // The arguments in use, in order.
    constexpr std::span<const Argument> Arguments() const
    {
        std::size_t count = 0;
        while (count < args.size() && !args[count].name.empty())
            ++count;
        return {args.data(), count};
    }
};

namespace arg {
constexpr Argument Make(std::string_view name, Source source, std::string_view metavar = {},
                        std::string_view choices = {}, std::string_view help = {}, int fallback = 0)
{
    return {name, source, metavar, choices, help, fallback};
}
constexpr Argument Word(std::string_view name, std::string_view metavar)
{
    return Make(name, Source::Word, metavar);
}
constexpr Argument OptionalWord(std::string_view name, std::string_view metavar)
{
    return Make(name, Source::OptionalWord, metavar);
}
constexpr Argument Words(std::string_view name, std::string_view metavar)
{
    return Make(name, Source::Words, metavar);
}
constexpr Argument WordOrStdin(std::string_view name, std::string_view metavar)
{
    return Make(name, Source::WordOrStdin, metavar);
}
constexpr Argument Choice(std::string_view name, std::string_view metavar, std::string_view choices)
{
    return Make(name, Source::Word, metavar, choices);
}
constexpr Argument StdinLine(std::string_view name)
{
    return Make(name, Source::StdinLine);
}
constexpr Argument Switch(std::string_view name, std::string_view help)
{
    return Make(name, Source::Switch, {}, {}, help);
}
constexpr Argument Option(std::string_view name, std::string_view metavar, std::string_view help)
{
    return Make(name, Source::Option, metavar, {}, help);
}
constexpr Argument Number(std::string_view name, int fallback, std::string_view help)
{
    return Make(name, Source::Number, "N", {}, help, fallback);
}
constexpr Argument MaybeValue(std::string_view name, std::string_view metavar,
                              std::string_view choices, std::string_view help)
{
    return Make(name, Source::MaybeValue, metavar, choices, help);
}
// pigeonctl's own option: read on its command line, never sent to pigeond.
constexpr Argument Local(Argument argument)
{
    argument.local = true;
    return argument;
}
} // namespace arg

// pigeond refuses a request without these (a string each); the others are
// optional and have defaults.
constexpr bool IsRequired(const Argument& a)
{
    return a.source == Source::Word || a.source == Source::Words ||
           a.source == Source::WordOrStdin || a.source == Source::StdinLine;
}
constexpr bool IsOption(const Argument& a)
{
    return a.source == Source::Switch || a.source == Source::Option || a.source == Source::Number ||
           a.source == Source::MaybeValue;
}

// The listings (outbox, carrying, inbox, peers --log) show the newest rows, a
// page at a time; 0 lets pigeonctl and pigeond choose (a screenful for
// people, pigeond's page size for --json, 200 events of the log).
inline constexpr Argument kPageLimit =
    arg::Number("limit", 0,
                "listings: at most N of the newest rows (a screenful; with --json "
                "1000; peers --log: 200 events)");
inline constexpr Argument kPageBefore =
    arg::Option("before", "CURSOR", "listings: the rows older than CURSOR (from an earlier page)");

// clang-format off
inline constexpr Command kCommands[] = {
    {"send", "send", Reply::Now,
     "queue TEXT for JID (TEXT '-' reads standard input); prints the id;\n"
     "with --wait, waits until it is carried, sent or delivered",
     {arg::Word("to", "JID"), arg::WordOrStdin("body", "TEXT"),
      arg::Option("expires", "DURATION",
                  "with send: give the message up after DURATION (3s, 90m, 2h, 7d; default: ttl)"),
      arg::Local(arg::MaybeValue("wait", "STATE", "carried|sent|delivered",
                                 "with send: wait until it is carried, sent or delivered (default)")),
      arg::Local(arg::Number("timeout", 0,
                             "with send --wait: give up after this many seconds (0: never)"))}},
    {"outbox", "outbox", Reply::Now, "messages we sent, with their state and carriers",
     {kPageLimit, kPageBefore}},
    {"carrying", "carrying", Reply::Now, "messages we carry for others", {kPageLimit, kPageBefore}},
    {"inbox", "inbox", Reply::Now, "messages we received", {kPageLimit, kPageBefore}},
    {"show", "show", Reply::Now,
     "one message, by id or a unique beginning or end of one, at least 4 characters",
     {arg::Word("id", "ID")}},
    {"search", "search", Reply::Now,
     "messages in outbox and inbox whose body has every word of TEXT",
     {arg::Words("text", "TEXT")}},
    {"status", "status", Reply::Now, "connectivity, neighbours, queue sizes and counters"},
    {"ping", "", Reply::Now, "the daemon's version, for scripts that check it runs"},
    {"peers", "peers", Reply::Now, "neighbours seen over link-local, or the handshake log",
     {arg::Switch("log", "with peers: show the handshake log"), kPageLimit}},
    {"presence", "presence", Reply::Now, "tell neighbours we are avail, away or dnd",
     {arg::Choice("status", "STATUS", "avail|away|dnd")}},
    {"account", "account", Reply::Now, "our account, server and login state"},
    {"register", "account register", Reply::Later, "create the account on the server (XEP-0077)"},
    {"passwd", "account passwd", Reply::Later,
     "change the account password; reads the new one from stdin",
     {arg::StdinLine("password")}},
    {"account-set", "account set", Reply::Now,
     "use account JID from now on (saved in pigeon.conf); reads its\n"
     "password from stdin; without --bosh-url the server is discovered",
     {arg::Word("jid", "JID"), arg::StdinLine("password"),
      arg::Option("bosh_url", "URL",
                  "with account set: the server's BOSH endpoint (default: discovered)")}},
    {"contacts", "contacts", Reply::Now, "the roster, as last seen (works offline)"},
    {"contacts-add", "contacts add", Reply::Now, "add a contact and ask to see their presence",
     {arg::Word("jid", "JID"), arg::OptionalWord("name", "NAME")}},
    {"watch", "watch", Reply::Stream, "what the daemon does, live, one line per event, until Ctrl-C"},
    {"forget-pin", "peers forget-pin", Reply::Now,
     "accept the new TLS pin of neighbour INSTANCE (forget the one vouched\n"
     "for its account before)",
     {arg::Word("instance", "INSTANCE")}},
};
// clang-format on

inline constexpr std::size_t kCommandCount = std::size(kCommands);

// The row of `wire`, by its index in kCommands; nullopt for an unknown name.
constexpr std::optional<std::size_t> FindCommand(std::string_view wire)
{
    for (std::size_t i = 0; i < kCommandCount; ++i)
        if (kCommands[i].wire == wire)
            return i;
    return std::nullopt;
}

// True if `bindings` holds one entry per command, in the table's order, each
// naming its command in `wire`: a binding table that passes this has nothing
// missing, extra or out of place.
template <typename Binding, std::size_t N>
constexpr bool BindsEveryCommand(const Binding (&bindings)[N])
{
    if (N != kCommandCount)
        return false;
    for (std::size_t i = 0; i < N; ++i)
        if (bindings[i].wire != kCommands[i].wire)
            return false;
    return true;
}

} // namespace pigeon::control
