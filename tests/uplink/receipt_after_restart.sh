#!/bin/bash
# Subway with only-pigeons: Elaine's uplink vanishes and she stays away longer
# than the server keeps her session; the server is restarted after Jerry's
# receipt came. What it stored on disk (its archive) still tells her, when
# she is back, that a carrier delivered her message: she never sends it.
LAB_PROSODY_EXTRA='bosh_max_inactivity = 10; bosh_max_wait = 10'
. "$(dirname "$0")/lib.sh"

subway_cast --only-pigeons yes
been_online elaine jerry@example.org

id=$(node_ctl elaine send jerry@example.org "running late")
wait_for "kramer carries it" 30 json_true elaine "j[0]['carriers'] == 1" outbox
# The server gives up on the session Elaine lost in the subway.
wait_for "elaine's old session ends" 60 grep -q \
    "Unbinding resource for elaine@example.org/" "$LAB_DIR/server/prosody.log"
lab_uplink kramer up
wait_for "jerry receives it" 60 json_true jerry "len(j) == 1 and j[0]['authenticity'] == 'signed'" inbox
wait_for "jerry's receipt reaches the server" 30 grep -q \
    "<received xmlns='urn:xmpp:receipts' id='$id'/>" "$LAB_DIR/server/prosody.log"
sleep 1 # stored before the server goes down
lab_server_stop
lab_server_start

lab_uplink elaine up
wait_for "elaine sees it delivered" 60 json_true elaine "j[0]['state'] == 'delivered'" outbox
expect elaine "j['counters']['delivered_by_carriers'] == 1 and j['counters']['sent_direct'] == 0" status
echo "ok"
