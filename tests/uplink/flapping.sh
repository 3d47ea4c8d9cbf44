#!/bin/bash
# Kramer's uplink comes and goes while he uploads: nothing is lost and
# nothing arrives twice.
. "$(dirname "$0")/lib.sh"
COUNT=100

for h in elaine kramer jerry; do lab_add_host "$h"; done
lab_wait_avahi
recipient_across_town
account_node elaine --only-pigeons yes
account_node kramer
for i in $(seq $COUNT); do node_ctl elaine send jerry@example.org "message $i" >/dev/null; done
wait_for "kramer carries all" 60 json_true elaine "all(m['carriers'] == 1 for m in j)" outbox

for round in 1 2 3 4 5; do
    lab_uplink kramer up
    sleep 0.$((RANDOM % 9 + 1))
    lab_uplink kramer down
    sleep 0.5
done
lab_uplink kramer up
wait_for "kramer uploads everything" 120 json_true kramer "j == []" carrying
wait_for "jerry has them all" 60 json_true jerry "len(j) == $COUNT" inbox
sleep 2
[ "$(inbox_summary jerry)" = "$COUNT $COUNT" ] || fail "jerry's inbox: $(inbox_summary jerry)"
expect kramer "j['counters']['uploaded_for_others'] == $COUNT" status
echo "ok"
