#!/bin/sh
# pigeon.conf is read from $XDG_CONFIG_HOME, flags win over it, and bad
# settings stop the daemon with a message naming them.
. "$(dirname "$0")/lib.sh"

mkdir -p "$XDG_CONFIG_HOME/pigeon"
printf 'max-body = 10\n' >"$XDG_CONFIG_HOME/pigeon/pigeon.conf"
start_daemon
expect_exit 1 ctl send jerry@example.org "eleven char"
grep -q "limit is 10" "$WORK/stderr" || fail "config file not applied: $(cat "$WORK/stderr")"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=

start_daemon --max-body 20
ctl send jerry@example.org "eleven char" >/dev/null || fail "flag did not win over the file"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=

printf 'carriers = 0\n' >"$XDG_CONFIG_HOME/pigeon/pigeon.conf"
expect_exit 2 "$PIGEOND"
grep -q "carriers must be between 1 and 100" "$WORK/stderr" || fail "range: $(cat "$WORK/stderr")"
printf 'no-such-key = 1\n' >"$XDG_CONFIG_HOME/pigeon/pigeon.conf"
expect_exit 2 "$PIGEOND"
grep -q "no-such-key" "$WORK/stderr" || fail "unknown key: $(cat "$WORK/stderr")"
expect_exit 2 "$PIGEOND" --config "$WORK/missing.conf"
echo "ok"
