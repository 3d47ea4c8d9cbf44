#!/bin/bash
# pigeonctl watch --json follows the subway story live, in order: Elaine's
# daemon sees Kramer come and takes his handoff; Kramer's carries the
# message, goes online and uploads it; Jerry's receives it. Then Elaine,
# online, waits with send --wait for what she asked: the receipt (exit 0),
# or a time limit (exit 4).
. "$(dirname "$0")/lib.sh"

subway_cast

# watch_start HOST: a watcher on HOST's daemon, its lines in $LAB_DIR/HOST.watch,
# returning once it is subscribed.
watch_start() {
    lab_spawn "$1" "$LAB_DIR/$1.watch" "$PIGEONCTL" --runtime-dir "$LAB_DIR/node-$1/run/pigeon" \
        watch --json >/dev/null
    wait_for "$1's watcher subscribes" 20 grep -q "watching pigeond" "$LAB_DIR/$1.watch"
}
# watched HOST EXPRESSION: the Python EXPRESSION holds for HOST's events so
# far, as `e`, a list of dicts, in the order they came.
watched() {
    grep '^{' "$LAB_DIR/$1.watch" | python3 -c \
        'import json,sys; e=[json.loads(l) for l in sys.stdin]; sys.exit(0 if eval(sys.argv[1]) else 1)' "$2"
}
# first HOST CONDITION: the index of HOST's first event satisfying CONDITION
# on `x`, or -1.
first() {
    grep '^{' "$LAB_DIR/$1.watch" | python3 -c '
import json,sys
e=[json.loads(l) for l in sys.stdin]
print(next((i for i, x in enumerate(e) if eval(sys.argv[1])), -1))' "$2"
}
for host in elaine kramer jerry; do watch_start "$host"; done

# Kramer's device drops off the link and comes back, as he walks past.
lab_avahi_stop kramer
wait_for "elaine sees kramer go" 30 watched elaine \
    "any(x['event'] == 'neighbour-down' and x['instance'] == 'kramer@kramer' for x in e)"
lab_avahi_start kramer
wait_for "elaine sees kramer come" 30 watched elaine \
    "any(x['event'] == 'neighbour-up' and x['instance'] == 'kramer@kramer' and x['kind'] == 'carrier' for x in e)"

id=$(node_ctl elaine send jerry@example.org "running late")
wait_for "elaine hands it to kramer" 30 watched elaine \
    "any(x['event'] == 'handoff' and '$id' in x['ids'] for x in e)"
wait_for "kramer carries it" 30 watched kramer \
    "any(x['event'] == 'carrying' and '$id' in x['ids'] for x in e)"
lab_uplink kramer up
wait_for "kramer uploads it" 60 watched kramer \
    "any(x['event'] == 'upload' and x['id'] == '$id' for x in e)"
wait_for "jerry receives it" 60 watched jerry \
    "any(x['event'] == 'received' and x['id'] == '$id' for x in e)"

# The order each daemon saw.
up=$(first elaine "x['event'] == 'neighbour-up' and x['instance'] == 'kramer@kramer'")
queued=$(first elaine "x['event'] == 'queued' and x['id'] == '$id'")
handoff=$(first elaine "x['event'] == 'handoff' and '$id' in x['ids']")
[ "$up" -ge 0 ] && [ "$up" -lt "$queued" ] && [ "$queued" -lt "$handoff" ] ||
    fail "elaine saw neighbour-up at $up, queued at $queued, handoff at $handoff"
watched elaine "e[$handoff]['carrier'] == 'kramer@kramer' and e[$handoff]['count'] == 1" ||
    fail "elaine's handoff event: $(grep handoff "$LAB_DIR/elaine.watch")"
carrying=$(first kramer "x['event'] == 'carrying' and '$id' in x['ids']")
online=$(first kramer "x['event'] == 'online'")
upload=$(first kramer "x['event'] == 'upload' and x['id'] == '$id'")
[ "$carrying" -ge 0 ] && [ "$carrying" -lt "$online" ] && [ "$online" -lt "$upload" ] ||
    fail "kramer saw carrying at $carrying, online at $online, upload at $upload"
watched kramer "e[$carrying]['from'] == 'elaine@elaine' and e[$carrying]['new'] == 1" ||
    fail "kramer's carrying event: $(grep carrying "$LAB_DIR/kramer.watch")"
watched kramer "e[$upload]['origin'] == 'elaine@example.org' and e[$upload]['to'] == 'jerry@example.org'" ||
    fail "kramer's upload event: $(grep upload "$LAB_DIR/kramer.watch")"
watched jerry "any(x['event'] == 'received' and x['id'] == '$id' and x['from'] == 'elaine@example.org'
                   and x['via'] == 'kramer@example.org' for x in e)" ||
    fail "jerry's received event: $(grep received "$LAB_DIR/jerry.watch")"
# Every line is an event with its kind and time.
watched kramer "all(isinstance(x['event'], str) and x['at'].endswith('Z') for x in e)" ||
    fail "an event without its kind or time"

# Elaine gets signal: send --wait follows a message to the state she asks.
lab_uplink elaine up
wait_for "elaine is online" 30 json_true elaine "j['connectivity']['session'] == 'online'" status
set +e
second=$(node_ctl elaine send --wait delivered --timeout 60 jerry@example.org "on my way")
status=$?
set -e
[ "$status" -eq 0 ] || fail "send --wait delivered exited $status"
expect elaine "any(m['id'] == '$second' and m['state'] == 'delivered' for m in j)" outbox
node_json elaine "$LAB_DIR/waited.json" send --wait=sent --timeout 60 jerry@example.org "sent is enough" ||
    fail "send --json --wait=sent failed"
# Sent or later, as pigeonctl(1) orders the states: Kramer, still in reach,
# may take it and have his server take it before Elaine sends it herself.
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if j["state"] in ("sent", "uploaded-by-carrier", "delivered", "delivered-reported-by-carrier") else 1)' \
    "$LAB_DIR/waited.json" || fail "send --json --wait=sent printed $(cat "$LAB_DIR/waited.json")"
# Nobody answers for newman: no receipt comes, and the wait ends with 4.
set +e
node_ctl elaine send --wait delivered --timeout 3 newman@example.org "anyone?" >/dev/null 2>"$LAB_DIR/timeout.err"
status=$?
set -e
[ "$status" -eq 4 ] || fail "send --wait on a message nobody receipts exited $status: $(cat "$LAB_DIR/timeout.err")"
grep -q "after 3 s, not yet delivered" "$LAB_DIR/timeout.err" || fail "timeout said: $(cat "$LAB_DIR/timeout.err")"
echo "ok"
