#!/bin/sh
# With --json, a failure is also printed on stdout, in the control
# protocol's error shape, with the same exit status as without.
. "$(dirname "$0")/lib.sh"

expect_exit 3 ctl status --json
json_check "$WORK/stdout" "j['ok'] is False and j['error'] == 'unavailable' and 'pigeond' in j['message']"
grep -q "pigeond is not running" "$WORK/stderr" || fail "no message on stderr when unavailable"

start_daemon --link-local no
expect_exit 1 ctl send --json "not a jid" hello
json_check "$WORK/stdout" "j['ok'] is False and j['error'] == 'bad-jid'"
grep -q "invalid recipient" "$WORK/stderr" || fail "no message on stderr for a bad JID"
expect_exit 1 ctl --json show 0123456789
json_check "$WORK/stdout" "j['error'] == 'not-found'"
expect_exit 2 ctl --json frobnicate
json_check "$WORK/stdout" "j['error'] == 'usage' and 'frobnicate' in j['message']"
expect_exit 2 ctl --json --no-such-flag status
json_check "$WORK/stdout" "j['error'] == 'usage'"
expect_exit 2 ctl --json send --wait=soon jerry@example.org hi
json_check "$WORK/stdout" "j['error'] == 'usage' and 'soon' in j['message']"

# send --wait times out with its own status, and says where the message is.
expect_exit 4 ctl --json send --wait delivered --timeout 1 jerry@example.org "nobody takes this"
json_check "$WORK/stdout" "j['error'] == 'timeout' and j['state'] == 'queued' and len(j['id']) == 36"
expect_exit 4 ctl send --wait=carried --timeout 1 jerry@example.org "nor this"
grep -q "still queued after 1 s" "$WORK/stderr" || fail "timeout message: $(cat "$WORK/stderr")"
[ "$(wc -l <"$WORK/stdout")" -eq 1 ] || fail "send --wait did not print the id first: $(cat "$WORK/stdout")"

# Without --json, stdout stays clean for scripts.
expect_exit 1 ctl send "not a jid" hello
[ ! -s "$WORK/stdout" ] || fail "an error went to stdout without --json"

# watch ends with 0 on Ctrl-C, and with 3 when pigeond goes away (run
# without the ctl function, so that $! is pigeonctl itself).
"$PIGEONCTL" watch >"$WORK/watch.out" 2>"$WORK/watch.err" &
watch=$!
sleep 0.5
kill -INT "$watch"
wait "$watch" && status=0 || status=$?
[ "$status" -eq 0 ] || fail "watch exited $status on SIGINT"
"$PIGEONCTL" watch --json >"$WORK/watch.out" 2>"$WORK/watch.err" &
watch=$!
sleep 0.5
kill "$DAEMON_PID"
wait "$watch" && status=0 || status=$?
[ "$status" -eq 3 ] || fail "watch exited $status when pigeond stopped"
grep -q "pigeond went away" "$WORK/watch.err" || fail "watch said: $(cat "$WORK/watch.err")"
wait "$DAEMON_PID" || fail "pigeond did not stop cleanly"
DAEMON_PID= # stopped: nothing for the cleanup to kill
json_check "$WORK/watch.out" "j['error'] == 'unavailable'"
echo "ok"
