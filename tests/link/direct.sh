#!/bin/bash
# When the recipient itself is a neighbour, the message goes straight to it,
# its receipt comes back, and the sender's outbox shows it delivered.
. "$(dirname "$0")/lib.sh"

lab_add_host elaine
lab_add_host jerry
lab_wait_avahi elaine jerry
node_start elaine --account elaine@example.org
node_start jerry --account jerry@example.org

id=$(node_ctl elaine send jerry@example.org "I am in the car behind you")
wait_for "jerry has the message" 30 json_true jerry "len(j) == 1" inbox
expect jerry "j[0]['id'] == '$id' and j[0]['from'] == 'elaine@example.org'" inbox
expect jerry "j[0]['via'] == 'link-local' and j[0]['body'] == 'I am in the car behind you'" inbox
# Only the neighbour's stream vouches for it, and the inbox says so.
expect jerry "j[0]['authenticity'] == 'link-local'" inbox
wait_for "elaine sees it delivered" 30 json_true elaine "j[0]['state'] == 'delivered'" outbox
# Jerry is the recipient: he was not made a carrier of his own message.
expect elaine "j[0]['carriers'] == 0" outbox
expect jerry "j == []" carrying

# Addressed by link-local name rather than account, it arrives the same way.
node_ctl elaine send jerry@jerry "see you at the diner" >/dev/null
wait_for "jerry has the second message" 30 json_true jerry "len(j) == 2" inbox
wait_for "elaine sees the second delivered" 30 json_true elaine "all(m['state'] == 'delivered' for m in j)" outbox
echo "ok"
