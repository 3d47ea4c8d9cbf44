#!/bin/bash
# Jerry's pigeond is killed (kill -9) just before Kramer uploads Elaine's
# message: the server hands it to the session Jerry left behind. Restarted,
# Jerry reads it from the server's archive: he has it exactly once, and
# Elaine later sees it delivered. With SERVER_RESTART=yes the server is
# restarted before Jerry comes back: its archive on disk, not its memory,
# holds the message.
. "$(dirname "$0")/lib.sh"

subway_cast
been_online elaine jerry@example.org
id=$(node_ctl elaine send jerry@example.org "running late")
wait_for "kramer carries it" 30 json_true elaine "j[0]['carriers'] == 1" outbox
node_kill jerry KILL
lab_uplink kramer up
wait_for "kramer uploaded it" 60 json_true kramer "j == []" carrying
expect kramer "j['counters']['uploaded_for_others'] == 1" status
if [ "${SERVER_RESTART:-no}" = yes ]; then
    lab_server_stop
    lab_server_start
fi

account_start jerry --link-local no
wait_for "jerry has it" 60 json_true jerry "len(j) == 1" inbox
expect jerry "j[0]['id'] == '$id' and j[0]['via'] == 'kramer@example.org'" inbox
wait_for "jerry checks elaine's signature" 30 json_true jerry "j[0]['authenticity'] == 'signed'" inbox
sleep 3 # anything still on its way arrives
[ "$(inbox_count jerry "$id")" -eq 1 ] || fail "jerry holds $(inbox_count jerry "$id") copies"
grep -q "caught up with our archive" "$LAB_DIR/node-jerry/pigeond.log" || fail "jerry did not read his archive"

lab_uplink elaine up
wait_for "elaine sees it delivered" 60 json_true elaine "j[0]['state'] == 'delivered'" outbox
expect elaine "j['counters']['delivered_by_carriers'] == 1" status
echo "ok"
