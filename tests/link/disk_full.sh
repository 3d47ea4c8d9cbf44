#!/bin/bash
# Disk full, then space back (issue 12): Kramer's data directory is a small
# tmpfs. Once it is full he refuses Elaine's handoff (resource-constraint,
# type wait) and keeps nothing half-done; Elaine asks again after 2 s, then
# after twice as long, not only when he re-announces. When the space is
# freed, her next try hands the message over: nothing restarted, nothing
# lost, nothing carried twice.
. "$(dirname "$0")/lib.sh"

small_disk kramer

lab_add_host elaine
lab_add_host kramer
lab_wait_avahi elaine kramer
node_start kramer
node_start elaine
wait_for "elaine sees kramer as a carrier" 20 json_true elaine \
    "any(p['instance'] == 'kramer@kramer' and p['kind'] == 'carrier' for p in j)" peers
pids="$(node_pid elaine) $(node_pid kramer)"
seen_before=$(times_seen elaine kramer@kramer)

# Nothing more fits: his store cannot commit.
if dd if=/dev/zero of="$data/filler" bs=64k 2>/dev/null; then fail "$data never filled up"; fi
[ "$(df --output=avail -B1 "$data" | tail -n 1 | tr -d ' ')" = 0 ] || fail "$data is not full: $(df "$data")"

# Larger than anything his store wrote so far: it cannot fit in space SQLite already holds.
id=$(node_ctl elaine send jerry@example.org "$(head -c 20000 /dev/zero | tr '\0' k)")
wait_for "kramer refuses for now, elaine waits 2 s" 20 \
    log_has elaine 'handoff refused' 'resource-constraint; asking again in 2 s'
grep -q "carry refused (out of disk space" "$LAB_DIR/node-kramer/pigeond.log" ||
    fail "kramer did not say why he refused: $(tail -n 5 "$LAB_DIR/node-kramer/pigeond.log")"
# Her retry while he is still full: refused again, and the next wait is longer.
wait_for "elaine asks again and waits longer" 10 \
    log_has elaine 'handoff refused' 'resource-constraint; asking again in [34] s'
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
[ "$(times_seen elaine kramer@kramer)" = "$seen_before" ] || fail "kramer was announced again: the retry did not do it"
# Few tries while he was full: a backoff, not a loop.
refusals=$(log_details elaine 'handoff refused')
[ "$(echo "$refusals" | wc -l)" -le 4 ] || fail "too many tries while full: $refusals"
echo "ok"
