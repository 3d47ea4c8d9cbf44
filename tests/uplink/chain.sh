#!/bin/bash
# Three hops where no single carrier could (issue 11): a and b share a
# segment (the train); b steps off onto the platform, where c waits; only c
# ever gets an uplink. Jerry receives exactly one copy; the tombstone c
# learns from Jerry's receipt goes back the way the message came, and a,
# still without signal, sees its message delivered, by c, over two carriers.
# a set pigeon up at home (been_online): Jerry can check its signature, and
# a can check Jerry's receipt. b has no account at all.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../lab/segments.sh"

lab_add_segment platform
for h in a b c jerry; do lab_add_host "$h"; done
lab_move c platform
lab_wait_avahi
recipient_across_town
account_node a
been_online a jerry@example.org
node_start b
account_node c

id=$(node_ctl a send jerry@example.org "over three hops")
wait_for "b carries it" 30 json_true b "[m['id'] for m in j] == ['$id']" carrying
expect b "j[0]['copies'] == 4 and j[0]['path'] == ['a@a']" carrying
expect c "j == []" carrying

lab_move b platform
wait_for "b hands it on to c" 30 json_true c "[m['id'] for m in j] == ['$id']" carrying
expect c "j[0]['copies'] == 2 and j[0]['path'] == ['a@a', 'b@b']" carrying
wait_for "b's budget is down to 2" 10 json_true b "j[0]['copies'] == 2" carrying
# a never met c: nothing reached c but through b.
expect c "not any(e['instance'] == 'a@a' for e in j)" peers --log

lab_uplink c up
wait_for "jerry has it" 60 inbox_has jerry "over three hops"
expect jerry "j[0]['via'] == 'c@example.org' and j[0]['from'] == 'a@example.org'" inbox
wait_for "c holds jerry's signed receipt" 60 json_true c "j['item']['delivered'] is not None" show "$id"
expect c "j == []" carrying
# b hears of it from c, and the way it went (read beside b's running pigeond).
b_tombstones() {
    sqlite3 -cmd '.timeout 5000' "$LAB_DIR/node-b/data/pigeon/pigeon.db" \
        "SELECT origin_id, via, hops FROM tombstones"
}
b_heard() { [ "$(b_tombstones)" = "$id|c@example.org|2" ]; }
wait_for "b hears of it from c (b's tombstones: $(b_tombstones))" 30 b_heard

# Back on the train: b cannot check Jerry's receipt (it never had his key),
# but a can; b tells a because the message is a's.
lab_move b mesh
wait_for "a sees it delivered" 30 json_true a "j[0]['state'] == 'delivered'" outbox
expect a "j[0]['delivered_via'] == 'c@example.org' and j[0]['hops'] == 2" outbox
expect a "j['connectivity']['state'] == 'offline'" status
node_ctl a outbox | grep -q "delivered via c@example.org (2 hops)" ||
    fail "a's outbox does not say the way: $(node_ctl a outbox)"
node_ctl a show "$id" | grep -qx "delivered_via: c@example.org" &&
    node_ctl a show "$id" | grep -qx "hops: 2" || fail "show does not say the way: $(node_ctl a show "$id")"

# One upload at the server (Prosody's log of what clients sent it), one copy at Jerry's.
received=$(grep -F "Received[c2s]" "$LAB_DIR/server/prosody.log" |
    grep -cE "<message [^>]*id=['\"]carried-${id}['\"]" || true)
[ "$received" -eq 1 ] || fail "the server received $received uploads of $id, expected 1"
[ "$(inbox_count jerry "$id")" -eq 1 ] || fail "jerry holds $(inbox_count jerry "$id") copies"
echo "ok"
