#!/bin/bash
# The story: Elaine (no signal) -> Kramer (carrier) -> Kramer's uplink comes up
# -> Jerry's inbox holds Elaine's message once, with its original send time;
# Elaine later gets signal and her outbox shows it delivered. Elaine set pigeon
# up at home, so Jerry can check her signature and Kramer cannot read it.
. "$(dirname "$0")/lib.sh"

subway_cast
been_online elaine jerry@example.org
# The key Elaine fetched is the one Jerry holds: the fingerprints they would
# read to each other match.
jerry_key=$(node_ctl jerry status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["identity"])')
expect elaine "j[0]['jid'] == 'jerry@example.org' and j[0]['key'] == '$jerry_key'" contacts

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
# First unverified, for the moment it takes to fetch Elaine's key.
wait_for "jerry checks elaine's signature" 30 json_true jerry "j[0]['authenticity'] == 'signed'" inbox
# Sealed to Jerry: the carrier held no readable copy.
! grep -r -q -a "running late" "$LAB_DIR/node-kramer/data" ||
    fail "the carrier's store holds the message in clear"
wait_for "kramer marks it uploaded" 30 json_true kramer "j == []" carrying
expect kramer "j['counters']['uploaded_for_others'] == 1" status

lab_uplink elaine up
# Jerry's receipt may have gone to the session Elaine lost in the subway
# (the server keeps a BOSH session for a while, and wrote the receipt into
# the request it still held): she reads it from the server's archive when she
# logs in again, before she would send anything herself.
wait_for "elaine sees it delivered" 60 json_true elaine "j[0]['state'] == 'delivered'" outbox
expect elaine "j[0]['carriers'] == 1" outbox
expect elaine "j['counters']['delivered_by_carriers'] == 1" status
sleep 2 # her own direct send may arrive too: still one copy
[ "$(inbox_count jerry "$id")" -eq 1 ] || fail "jerry holds $(inbox_count jerry "$id") copies"
echo "ok"
