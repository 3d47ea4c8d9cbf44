#!/bin/bash
# Subway with only-pigeons: Elaine's pigeond is killed (kill -9) while she is
# logged in, so the server keeps her session for a while and Jerry's receipt
# goes to it. She comes back later: the server's archive still has the
# receipt, and her outbox shows the message delivered by a carrier, never
# sent by her.
. "$(dirname "$0")/lib.sh"

subway_cast --only-pigeons yes
lab_uplink elaine up
wait_for "elaine publishes her key" 30 json_true elaine "j['connectivity']['key_published']" status
node_ctl elaine contacts add jerry@example.org >/dev/null
wait_for "elaine learns jerry's key" 30 json_true elaine "all(c['key'] for c in j)" contacts

id=$(node_ctl elaine send jerry@example.org "running late")
wait_for "kramer carries it" 30 json_true elaine "j[0]['carriers'] == 1" outbox
node_kill elaine KILL
lab_uplink kramer up
wait_for "jerry receives it" 60 json_true jerry "len(j) == 1 and j[0]['authenticity'] == 'signed'" inbox
# Jerry's receipt goes to the session Elaine's dead pigeond left behind.
wait_for "jerry's receipt reaches the server" 30 grep -q \
    "<received xmlns='urn:xmpp:receipts' id='$id'/>" "$LAB_DIR/server/prosody.log"
expect jerry "j[0]['id'] == '$id' and j[0]['via'] == 'kramer@example.org'" inbox

account_start elaine --only-pigeons yes
wait_for "elaine sees it delivered" 60 json_true elaine "j[0]['state'] == 'delivered'" outbox
expect elaine "j['counters']['delivered_by_carriers'] == 1 and j['counters']['sent_direct'] == 0" status
[ "$(inbox_count jerry "$id")" -eq 1 ] || fail "jerry holds $(inbox_count jerry "$id") copies"
echo "ok"
