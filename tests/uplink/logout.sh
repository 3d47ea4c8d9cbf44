#!/bin/bash
# A clean logout reaches the server: Jerry's pigeond stops (SIGTERM) while
# online, Elaine at once sends him a message, and Jerry, started again, gets
# it. Had the server kept Jerry's session (a terminate it did not process),
# the message would have gone into that dead session and been lost. Three
# rounds, on the lab's server (LAB_SERVER).
. "$(dirname "$0")/lib.sh"

for h in elaine jerry; do lab_add_host "$h"; done
lab_wait_avahi
recipient_across_town
account_node elaine --link-local no
lab_uplink elaine up
wait_for "elaine is online" 30 json_true elaine "j['connectivity']['session'] == 'online'" status

for round in 1 2 3; do
    started=$(date +%s.%N)
    node_kill jerry
    took=$(echo "$(date +%s.%N) $started" | awk '{ printf "%.2f", $1 - $2 }')
    grep -q "did not answer the logout" "$LAB_DIR/node-jerry/pigeond.log" &&
        fail "round $round: the server did not answer jerry's logout"
    echo "round $round: jerry's pigeond stopped in $took s"
    id=$(node_ctl elaine send jerry@example.org "while away $round")
    wait_for "elaine sends it" 30 json_true elaine "any(m['id'] == '$id' and m['state'] != 'queued' for m in j)" outbox
    account_start jerry --link-local no
    wait_for "jerry, back, receives message $round" 30 inbox_has jerry "while away $round"
done
echo "ok"
