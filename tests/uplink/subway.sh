#!/bin/bash
# The story: Elaine (no signal) -> Kramer (carrier) -> Kramer's uplink comes up
# -> Jerry's inbox holds Elaine's message once, with its original send time;
# Elaine later gets signal and her outbox shows it delivered.
. "$(dirname "$0")/lib.sh"

lab_add_host elaine
lab_add_host kramer
lab_add_host jerry
lab_wait_avahi elaine kramer jerry
account_node elaine
account_node kramer
recipient_across_town

id=$(node_ctl elaine send jerry@example.org "running late")
created=$(node_ctl elaine show "$id" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["item"]["created"])')
expect elaine "j['connectivity']['state'] == 'offline'" status
wait_for "kramer carries it" 30 json_true elaine "j[0]['carriers'] == 1" outbox
sleep 2
[ "$(inbox_count jerry "$id")" -eq 0 ] || fail "jerry got it before any uplink"

lab_uplink kramer up
wait_for "jerry receives it" 60 json_true jerry "len(j) == 1" inbox
expect jerry "j[0]['id'] == '$id' and j[0]['from'] == 'elaine@example.org'" inbox
expect jerry "j[0]['body'] == 'running late' and j[0]['via'] == 'kramer@example.org'" inbox
expect jerry "j[0]['sent'] == '$created'" inbox
wait_for "kramer marks it uploaded" 30 json_true kramer "j == []" carrying
expect kramer "j['counters']['uploaded_for_others'] == 1" status

lab_uplink elaine up
wait_for "elaine sees it delivered" 60 json_true elaine "j[0]['state'] == 'delivered'" outbox
expect elaine "j['counters']['delivered_by_carriers'] == 1" status
sleep 2 # her own direct send may arrive too: still one copy
[ "$(inbox_count jerry "$id")" -eq 1 ] || fail "jerry holds $(inbox_count jerry "$id") copies"
echo "ok"
