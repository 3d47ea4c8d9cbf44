#!/bin/bash
# Jerry runs a stock XMPP client (slixmpp), no pigeon: Kramer uploads
# Elaine's message and Jerry's client shows it once, readable, naming Elaine;
# its receipt goes to Kramer, who tells Elaine. Elaine, back online, finds
# it "delivered (reported by carrier)" and never sends it herself.
. "$(dirname "$0")/lib.sh"
CLIENT=$(dirname "$0")/../tools/stock_client.py
/usr/bin/python3 -c 'import slixmpp' 2>/dev/null || { echo "python3-slixmpp is missing"; exit 77; }

lab_add_host elaine
lab_add_host kramer
lab_add_host jerry
lab_wait_avahi elaine kramer
account_node elaine # default settings: she would send it herself if nobody told her
account_node kramer
lab_server_user jerry@example.org secret-jerry
lab_uplink jerry up
lab_spawn jerry "$LAB_DIR/stock.log" /usr/bin/python3 "$CLIENT" jerry@example.org/stock \
    secret-jerry "$LAB_SERVER_IP" 5222 "$LAB_DIR/stock.jsonl" >/dev/null
wait_for "jerry's client is online" 30 grep -q '"online"' "$LAB_DIR/stock.jsonl"

# What Jerry's client shows: messages with a body (announcements of keys have none).
shown() {
    /usr/bin/python3 -c '
import json, sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["event"] == "message"))' "$LAB_DIR/stock.jsonl"
}

id=$(node_ctl elaine send jerry@example.org "running late")
wait_for "kramer carries it" 30 json_true elaine "j[0]['carriers'] == 1" outbox
lab_uplink kramer up
wait_for "jerry's client shows it" 60 sh -c "[ \$(grep -c '\"message\"' '$LAB_DIR/stock.jsonl') -ge 1 ]"
/usr/bin/python3 - "$LAB_DIR/stock.jsonl" <<'PY' || fail "jerry's client shows: $(cat "$LAB_DIR/stock.jsonl")"
import json, sys
m = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["event"] == "message"][0]
assert m["from"].startswith("kramer@example.org"), m
assert "running late" in m["body"] and "elaine@example.org" in m["body"], m
PY
wait_for "kramer hears jerry's client acknowledge it" 30 grep -q \
    "jerry@example.org acknowledged $id" "$LAB_DIR/node-kramer/pigeond.log"
wait_for "kramer tells elaine" 30 grep -q \
    "told elaine@example.org that $id was delivered" "$LAB_DIR/node-kramer/pigeond.log"

lab_uplink elaine up
wait_for "elaine sees it reported delivered" 60 json_true elaine \
    "j[0]['state'] == 'delivered-reported-by-carrier' and j[0]['reported_by'] == 'kramer@example.org'" outbox
expect elaine "j['counters']['sent_direct'] == 0" status
node_ctl elaine outbox | grep -q "delivered (reported by carrier)" ||
    fail "pigeonctl outbox says: $(node_ctl elaine outbox)"
sleep 3 # a send of her own would have arrived by now
[ "$(shown)" -eq 1 ] || fail "jerry's client shows it $(shown) times: $(cat "$LAB_DIR/stock.jsonl")"
expect elaine "j[0]['state'] == 'delivered-reported-by-carrier'" outbox
echo "ok"
