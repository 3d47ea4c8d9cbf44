#!/bin/bash
# The recipient's disk is full when a carrier meets it (issue 12, "retry
# after refusal"): Kramer carries Elaine's message to Jerry on the link, but
# Jerry's data directory (a small tmpfs) cannot take it. Jerry refuses for
# now (resource-constraint, type wait) and keeps nothing half-done; Kramer
# asks again after 2 s, then after twice as long, not only when Jerry
# re-announces. Once the space is back, Jerry has one copy, signed, and
# Kramer keeps his receipt: nothing restarted, nothing lost.
. "$(dirname "$0")/lib.sh"

small_disk jerry

offline_cast
# At home, Elaine and Jerry learnt each other's keys; nobody has signal now.
met_at_home elaine jerry

# Larger than anything Jerry's store wrote so far: it cannot fit in space
# SQLite already holds.
body="$(head -c 20000 /dev/zero | tr '\0' k)"
id=$(node_ctl elaine send jerry@example.org "$body")
wait_for "kramer carries it" 30 json_true elaine "j[0]['carriers'] == 1" outbox
node_kill elaine # Elaine gets off the train
node_kill kramer # and Kramer walks over to Jerry's, who is on the link now
node_kill jerry
account_start jerry
wait_for "jerry announces himself" 20 json_true jerry "j['connectivity']['state'] == 'offline'" status

# Nothing more fits on Jerry's disk.
if dd if=/dev/zero of="$data/filler" bs=64k 2>/dev/null; then fail "$data never filled up"; fi
[ "$(df --output=avail -B1 "$data" | tail -n 1 | tr -d ' ')" = 0 ] || fail "$data is not full: $(df "$data")"

account_start kramer
wait_for "kramer sees jerry" 20 json_true kramer "any(p['instance'] == 'jerry@jerry' for p in j)" peers
pids="$(node_pid kramer) $(node_pid jerry)"
seen_before=$(times_seen kramer jerry@jerry)
wait_for "jerry refuses for now, kramer waits 2 s" 20 \
    log_has kramer 'delivery refused' 'resource-constraint; asking again in 2 s'
grep -q "delivery refused (out of disk space" "$LAB_DIR/node-jerry/pigeond.log" ||
    fail "jerry did not say why he refused: $(tail -n 5 "$LAB_DIR/node-jerry/pigeond.log")"
wait_for "kramer asks again and waits longer" 10 \
    log_has kramer 'delivery refused' 'resource-constraint; asking again in [34] s'
expect jerry "len(j) == 0" inbox
expect kramer "len(j) == 1 and j[0]['id'] == '$id'" carrying

rm -f "$data/filler"
freed=$SECONDS
wait_for "jerry has it from kramer once there is room" 15 json_true jerry "len(j) == 1" inbox
echo "delivered $((SECONDS - freed)) s after the space came back"
expect jerry "j[0]['id'] == '$id' and j[0]['from'] == 'elaine@example.org'" inbox
expect jerry "j[0]['via'] == 'kramer@example.org' and j[0]['authenticity'] == 'signed'" inbox
wait_for "kramer keeps jerry's receipt" 20 json_true kramer "j == []" carrying
expect kramer "j['counters']['delivered_for_others'] == 1 and j['counters']['uploaded_for_others'] == 0" status
[ "$(inbox_count jerry "$id")" -eq 1 ] || fail "jerry holds $(inbox_count jerry "$id") copies"
[ "$(node_pid kramer) $(node_pid jerry)" = "$pids" ] || fail "a pigeond restarted"
[ "$(times_seen kramer jerry@jerry)" = "$seen_before" ] || fail "jerry was announced again: the retry did not do it"
# Few tries while he was full: a backoff, not a loop.
refusals=$(log_details kramer 'delivery refused')
[ "$(echo "$refusals" | wc -l)" -le 4 ] || fail "too many tries while full: $refusals"
echo "ok"
