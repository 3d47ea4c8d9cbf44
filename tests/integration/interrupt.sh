#!/bin/sh
# Ctrl-C ends `pigeonctl watch` cleanly (status 0, having printed what came)
# and `pigeonctl send --wait` with status 130, the message still queued: the
# interrupt stops the waiting, never the message.
. "$(dirname "$0")/lib.sh"

start_daemon --link-local no

# watch: subscribed (its notice is on stderr), sees an event, then SIGINT.
# pigeonctl runs itself in the background (not through ctl, whose subshell
# would take the signal).
"$PIGEONCTL" watch --json >"$WORK/watch.out" 2>"$WORK/watch.err" &
watcher=$!
i=0
until grep -q "watching" "$WORK/watch.err" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || fail "watch did not subscribe within 10 s"
    sleep 0.1
done
id=$(ctl send jerry@example.org "before the interrupt")
i=0
until grep -q "\"$id\"" "$WORK/watch.out" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || fail "watch did not show the queued event: $(cat "$WORK/watch.out")"
    sleep 0.1
done
kill -INT "$watcher"
set +e
wait "$watcher"
got=$?
set -e
[ "$got" -eq 0 ] || fail "watch ended with $got on SIGINT, expected 0 ($(cat "$WORK/watch.err"))"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$WORK/watch.out" ||
    fail "watch --json printed something that is not one JSON object per line"

# send --wait: no uplink, no neighbour, so it waits until interrupted.
"$PIGEONCTL" send --wait=delivered --timeout 60 jerry@example.org "waiting for nothing" \
    >"$WORK/wait.out" 2>"$WORK/wait.err" &
waiter=$!
i=0
until [ "$(ctl outbox --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" -eq 2 ]; do
    i=$((i + 1)); [ $i -lt 100 ] || fail "send --wait did not queue its message within 10 s"
    sleep 0.1
done
kill -INT "$waiter"
set +e
wait "$waiter"
got=$?
set -e
[ "$got" -eq 130 ] || fail "send --wait ended with $got on SIGINT, expected 130 ($(cat "$WORK/wait.err"))"
grep -q "interrupted" "$WORK/wait.err" || fail "send --wait did not say it was interrupted: $(cat "$WORK/wait.err")"
ctl outbox --json >"$WORK/outbox.json"
json_check "$WORK/outbox.json" "sorted(m['body'] for m in j) == ['before the interrupt', 'waiting for nothing']"
json_check "$WORK/outbox.json" "all(m['state'] == 'queued' for m in j)"
ctl status >/dev/null || fail "pigeond stopped answering"
echo ok
