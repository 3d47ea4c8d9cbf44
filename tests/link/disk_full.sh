#!/bin/bash
# Disk full, then space back (issue 12): Kramer's data directory is a small
# tmpfs. Once it is full he refuses Elaine's handoff (resource-constraint,
# type wait) and keeps nothing half-done; Elaine asks again after 2 s, then
# after twice as long, not only when he re-announces. When the space is
# freed, her next try hands the message over: nothing restarted, nothing
# lost, nothing carried twice.
. "$(dirname "$0")/lib.sh"

data="$LAB_DIR/node-kramer/data"
mkdir -p "$data"
# Unmounted however the test ends (lazily: pigeond may still hold its files),
# before lab_teardown removes the directory.
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'st=$?; node_dump_logs_on_failure $st; ! mountpoint -q "$data" || umount -l "$data"; lab_teardown' EXIT
mount -t tmpfs -o size=4m,mode=0755 pigeon-disk-full "$data" || fail "cannot mount a tmpfs on $data"

lab_add_host elaine
lab_add_host kramer
lab_wait_avahi elaine kramer
node_start kramer
node_start elaine
wait_for "elaine sees kramer as a carrier" 20 json_true elaine \
    "any(p['instance'] == 'kramer@kramer' and p['kind'] == 'carrier' for p in j)" peers
pids="$(node_pid elaine) $(node_pid kramer)"
seen() { node_ctl elaine peers --log --json | python3 -c \
    'import json,sys; print(sum(e["event"] == "seen" and e["instance"] == "kramer@kramer" for e in json.load(sys.stdin)))'; }
seen_before=$(seen)

# Nothing more fits: his store cannot commit.
if dd if=/dev/zero of="$data/filler" bs=64k 2>/dev/null; then fail "$data never filled up"; fi
[ "$(df --output=avail -B1 "$data" | tail -n 1 | tr -d ' ')" = 0 ] || fail "$data is not full: $(df "$data")"

# Larger than anything his store wrote so far: it cannot fit in space SQLite already holds.
id=$(node_ctl elaine send jerry@example.org "$(head -c 20000 /dev/zero | tr '\0' k)")
refusals() { node_ctl elaine peers --log --json | python3 -c \
    'import json,sys; print("\n".join(e["detail"] for e in json.load(sys.stdin) if e["event"] == "handoff refused"))'; }
refused_with() { refusals | grep -Eqx "$1"; }
wait_for "kramer refuses for now, elaine waits 2 s" 20 refused_with 'resource-constraint; asking again in 2 s'
grep -q "carry refused (out of disk space" "$LAB_DIR/node-kramer/pigeond.log" ||
    fail "kramer did not say why he refused: $(tail -n 5 "$LAB_DIR/node-kramer/pigeond.log")"
# Her retry while he is still full: refused again, and the next wait is longer.
wait_for "elaine asks again and waits longer" 10 refused_with 'resource-constraint; asking again in [34] s'
expect kramer "len(j) == 0" carrying
expect elaine "j[0]['carriers'] == 0 and j[0]['state'] == 'queued'" outbox

rm -f "$data/filler"
freed=$SECONDS
wait_for "the handoff completes once there is room" 15 json_true elaine "j[0]['carriers'] == 1" outbox
echo "handed over $((SECONDS - freed)) s after the space came back"

# Once, to kramer, and held once; by the same daemons, without a re-announce.
expect elaine "[c['carrier'] for c in j[0]['carrier_list']] == ['kramer@kramer']" outbox
expect elaine "j['counters']['handed_to_carriers'] == 1" status
expect kramer "len(j) == 1 and j[0]['id'] == '$id' and j[0]['from_peer'] == 'elaine@elaine'" carrying
expect kramer "j['counters']['carried_for_others'] == 1" status
expect kramer "j['carry']['held']['messages'] == 1" status
[ "$(node_pid elaine) $(node_pid kramer)" = "$pids" ] || fail "a pigeond restarted"
[ "$(seen)" = "$seen_before" ] || fail "kramer was announced again: the retry did not do it"
# Few tries while he was full: a backoff, not a loop.
[ "$(refusals | wc -l)" -le 4 ] || fail "too many tries while full: $(refusals)"
echo "ok"
