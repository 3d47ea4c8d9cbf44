#!/bin/bash
# No uplink anywhere: Kramer takes Elaine's message in the subway, walks over
# to Jerry and hands it to him on the link; Jerry keeps one copy, signed, and
# Kramer keeps Jerry's signed receipt. Back next to Elaine, Kramer tells her:
# her outbox shows it delivered, by a carrier, without her sending anything.
. "$(dirname "$0")/lib.sh"

offline_cast
# At home, Elaine and Jerry learnt each other's keys; nobody has signal now.
met_at_home elaine jerry

id=$(node_ctl elaine send jerry@example.org "running late")
wait_for "kramer carries it" 30 json_true elaine "j[0]['carriers'] == 1" outbox
node_kill elaine # Elaine gets off the train

# Kramer meets Jerry.
node_kill jerry
account_start jerry
wait_for "jerry has it from kramer" 30 json_true jerry "len(j) == 1" inbox
expect jerry "j[0]['id'] == '$id' and j[0]['from'] == 'elaine@example.org'" inbox
expect jerry "j[0]['body'] == 'running late' and j[0]['via'] == 'kramer@example.org'" inbox
expect jerry "j[0]['authenticity'] == 'signed'" inbox
wait_for "kramer keeps jerry's receipt" 30 json_true kramer "j == []" carrying
expect kramer "j['counters']['delivered_for_others'] == 1 and j['counters']['uploaded_for_others'] == 0" status
[ "$(inbox_count jerry "$id")" -eq 1 ] || fail "jerry holds $(inbox_count jerry "$id") copies"
# Sealed to Jerry: the carrier held no readable copy.
! grep -r -q -a "running late" "$LAB_DIR/node-kramer/data" ||
    fail "the carrier's store holds the message in clear"

# Kramer meets Elaine again.
node_kill jerry
account_start elaine
wait_for "elaine sees it delivered" 30 json_true elaine "j[0]['state'] == 'delivered'" outbox
expect elaine "j['counters']['delivered_by_carriers'] == 1 and j['counters']['sent_direct'] == 0" status
expect elaine "j['connectivity']['state'] == 'offline'" status
echo "ok"
