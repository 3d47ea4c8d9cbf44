#!/bin/bash
# A carrier's tampered copy reaches Jerry first, while Elaine's key is still
# unknown, and a second carrier's genuine copy comes after it: once the key
# is known, the genuine copy wins and the tampered one is dropped.
. "$(dirname "$0")/lib.sh"

for h in elaine kramer george jerry; do lab_add_host "$h"; done
lab_wait_avahi
recipient_across_town
# Carriers only: Elaine never sends to the server herself, so only her key
# can settle what Jerry holds.
account_node elaine --only-pigeons yes
account_node kramer
id=$(node_ctl elaine send jerry@example.org "first words")
wait_for "kramer carries it" 30 json_true elaine "j[0]['carriers'] == 1" outbox
node_kill kramer
python3 - "$LAB_DIR/node-kramer/data/pigeon/pigeon.db" "$id" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
(payload,) = db.execute("SELECT payload FROM carried WHERE origin_id = ?", (sys.argv[2],)).fetchone()
assert "first words" in payload, payload  # Elaine knew no key for Jerry: signed, not sealed
db.execute("UPDATE carried SET payload = ? WHERE origin_id = ?",
           (payload.replace("first words", "last words"), sys.argv[2]))
PY
account_start kramer
lab_uplink kramer up
wait_for "jerry holds kramer's copy" 60 json_true jerry \
    "len(j) == 1 and j[0]['body'] == 'last words' and j[0]['authenticity'] == 'unverified'" inbox

account_node george
wait_for "george carries it too" 30 json_true elaine "j[0]['carriers'] == 2" outbox
lab_uplink george up
wait_for "george uploaded it" 60 json_true george "j == []" carrying
# Received before Jerry's session goes (below), or it would be lost with it.
wait_for "jerry keeps george's copy too" 30 grep -q \
    "received another copy of $id from elaine@example.org via george@example.org" \
    "$LAB_DIR/node-jerry/pigeond.log"
expect jerry "len(j) == 1 and j[0]['body'] == 'last words'" inbox # one copy shown, both kept

lab_uplink elaine up
wait_for "elaine publishes her key" 30 json_true elaine "j['connectivity']['key_published']" status
# Jerry asks again when he next logs in.
lab_uplink jerry down
wait_for "jerry is offline" 30 json_true jerry "j['connectivity']['state'] == 'offline'" status
lab_uplink jerry up
wait_for "jerry settles it" 60 json_true jerry "j[0]['authenticity'] == 'signed'" inbox
expect jerry "len(j) == 1 and j[0]['body'] == 'first words' and j[0]['via'] == 'george@example.org'" inbox
expect jerry "j['counters']['forged_refused'] == 1" status
wait_for "elaine sees it delivered" 60 json_true elaine "j[0]['state'] == 'delivered'" outbox
expect elaine "j['counters']['sent_direct'] == 0" status
echo "ok"
