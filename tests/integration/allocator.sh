#!/bin/sh
# pigeond starts itself again, once, with glibc's per-thread cache made room
# for a batch (AllocatorTuning): under its own name, with the tunables it was
# given kept; a cache size given by the user is left as it is.
. "$(dirname "$0")/lib.sh"

# The running daemon's GLIBC_TUNABLES, a setting a line (glibc, reading
# them, turns the ':' between them into NULs in place).
tunables() {
    tr '\0' '\n' <"/proc/$DAEMON_PID/environ" | tr ':' '\n' | sed -n 's/^GLIBC_TUNABLES=//; /^glibc\./p'
}
stop() { kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=; }

export GLIBC_TUNABLES=glibc.malloc.arena_max=2
start_daemon
[ "$(tunables)" = "$(printf 'glibc.malloc.arena_max=2\nglibc.malloc.tcache_count=1024')" ] ||
    fail "tunables after the restart: '$(tunables)'"
[ "$(cat "/proc/$DAEMON_PID/comm")" = pigeond ] ||
    fail "it runs as '$(cat "/proc/$DAEMON_PID/comm")', not pigeond"
[ "$(readlink "/proc/$DAEMON_PID/exe")" = "$(readlink -f "$PIGEOND")" ] ||
    fail "it runs $(readlink "/proc/$DAEMON_PID/exe"), not $PIGEOND"
ctl send jerry@example.org "queued after the restart" >/dev/null || fail "send after the restart"
stop

export GLIBC_TUNABLES=glibc.malloc.tcache_count=16
start_daemon
[ "$(tunables)" = "glibc.malloc.tcache_count=16" ] || fail "the user's size was changed: '$(tunables)'"
stop

unset GLIBC_TUNABLES
start_daemon
[ "$(tunables)" = "glibc.malloc.tcache_count=1024" ] || fail "tunables from none: '$(tunables)'"
stop
echo "ok"
