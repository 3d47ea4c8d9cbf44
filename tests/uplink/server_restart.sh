#!/bin/bash
# The server dies while Kramer's uploads are in flight: nothing it did not
# accept is marked uploaded, all is retried once it is back, and Jerry ends
# up with every message exactly once.
. "$(dirname "$0")/lib.sh"
COUNT=200

for h in elaine kramer jerry; do lab_add_host "$h"; done
lab_wait_avahi
recipient_across_town
account_node elaine
account_node kramer
lab_uplink kramer up
wait_for "kramer is online" 30 json_true kramer "j['connectivity']['session'] == 'online'" status

# Freeze the server, then give Kramer messages: his uploads are now in
# flight to a server that will die without answering them.
kill -STOP "$(cat "$LAB_DIR/server/prosody.pid")"
for i in $(seq $COUNT); do echo "message $i"; done | python3 -c '
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rwb")
for line in sys.stdin:
    f.write((json.dumps({"cmd": "send", "to": "jerry@example.org", "body": line.strip()}) + "\n").encode()); f.flush()
    assert json.loads(f.readline())["ok"]' "$LAB_DIR/node-elaine/run/pigeon/control"
wait_for "kramer carries all" 60 json_true elaine "all(m['carriers'] == 1 for m in j)" outbox
sleep 1
expect kramer "len(j) == $COUNT" carrying # nothing was accepted by the frozen server
kill -KILL "$(cat "$LAB_DIR/server/prosody.pid")"
lab_server_stop
lab_server_start
wait_for "kramer uploads everything" 120 json_true kramer "j == []" carrying
wait_for "jerry has them all" 60 json_true jerry "len(j) == $COUNT" inbox
sleep 2
[ "$(inbox_summary jerry)" = "$COUNT $COUNT" ] || fail "jerry's inbox: $(inbox_summary jerry)"
expect kramer "j['counters']['uploaded_for_others'] == $COUNT" status
echo "ok"
