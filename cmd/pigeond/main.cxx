// pigeond: the peer-and-carrier daemon. One thread, one Boost.Asio loop;
// see doc/error-handling.md for what is fatal here and what is survived.

#include "AllocatorTuning.hxx"
#include "Daemon.hxx"
#include "Options.hxx"
#include "util/Log.hxx"

#include <sys/stat.h>

#include <csignal>
#include <cstdio>

int main(int argc, char* argv[])
{
    using namespace pigeon;
    TuneAllocator(argv);           // before anything: it may start us again
    std::signal(SIGPIPE, SIG_IGN); // a client that hangs up must not kill us
    umask(077);                    // the store and everything else we write is private
    ParsedOptions options;
    try {
        options = ParseDaemonOptions(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pigeond: %s\nTry 'pigeond --help'.\n", e.what());
        return 2;
    }
    if (options.show_help) {
        std::fputs(options.help_text.c_str(), stdout);
        return 0;
    }
    if (options.show_version) {
        std::puts("pigeond " PIGEON_VERSION);
        return 0;
    }
    log::SetLevel(options.config.log_level);
    try {
        // SIGHUP reads the settings as at start: the same flags win over the file.
        Daemon(options.config, [argc, argv] {
            return ParseDaemonOptions(argc, argv).config;
        }).Run();
        log::FlushSuppressed();
        log::Notice("pigeond", "stopped"); // everything has been torn down
        return 0;
    } catch (const std::exception& e) {
        log::Error("pigeond", e.what());
        return 1;
    }
}
