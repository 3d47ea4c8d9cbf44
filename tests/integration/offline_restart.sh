#!/bin/sh
# A message sent while offline survives the daemon being killed with SIGKILL:
# after a restart the outbox holds it unchanged.
. "$(dirname "$0")/lib.sh"

start_daemon
id=$(ctl send jerry@example.org "running late")
[ ${#id} -eq 36 ] || fail "send printed '$id', expected a 36-character id"
echo "the subway is stuck" | ctl send elaine@example.org - >/dev/null
ctl outbox --json >"$WORK/before.json"
json_check "$WORK/before.json" 'len(j) == 2'
json_check "$WORK/before.json" "j[0]['id'] == '$id' and j[0]['to'] == 'jerry@example.org'"
json_check "$WORK/before.json" "j[0]['body'] == 'running late' and j[0]['state'] == 'queued'"
json_check "$WORK/before.json" "j[0]['carriers'] == 0 and j[0]['created'].endswith('Z')"
json_check "$WORK/before.json" "j[1]['body'] == 'the subway is stuck'"

kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=

# The control socket of the dead daemon is stale: the CLI must say so clearly.
expect_exit 3 ctl outbox
grep -q "pigeond is not running" "$WORK/stderr" || fail "no clear message: $(cat "$WORK/stderr")"

start_daemon
ctl outbox --json >"$WORK/after.json"
cmp -s "$WORK/before.json" "$WORK/after.json" ||
    fail "outbox changed across kill -9: $(diff "$WORK/before.json" "$WORK/after.json")"

# By the 8 characters lists show (the id's end), and by a unique beginning.
ctl show "$(echo "$id" | rev | cut -c1-8 | rev)" --json >"$WORK/show.json"
json_check "$WORK/show.json" "j['box'] == 'outbox' and j['item']['id'] == '$id'"
ctl show "$(echo "$id" | cut -c1-24)" --json >"$WORK/show.json"
json_check "$WORK/show.json" "j['box'] == 'outbox' and j['item']['id'] == '$id'"
ctl search subway --json >"$WORK/search.json"
json_check "$WORK/search.json" "len(j) == 1 and j[0]['peer'] == 'elaine@example.org'"
ctl status --json >"$WORK/status.json"
json_check "$WORK/status.json" "j['queues']['outbox'] == 2 and j['connectivity']['state'] == 'offline'"

# SIGTERM is a clean shutdown: exit 0 and the socket is gone.
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "pigeond exited $? on SIGTERM"
DAEMON_PID=
[ ! -e "$XDG_RUNTIME_DIR/pigeon/control" ] || fail "control socket left behind"
echo "ok"
