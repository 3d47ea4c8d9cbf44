#!/bin/bash
# Five carriers upload the same messages and the sender sends them herself
# too: the recipient still keeps exactly one copy of each.
. "$(dirname "$0")/lib.sh"

carriers="c1 c2 c3 c4 c5"
for h in elaine $carriers jerry; do lab_add_host "$h"; done
lab_wait_avahi
recipient_across_town
account_node elaine
for i in 1 2 3; do node_ctl elaine send jerry@example.org "message $i" >/dev/null; done
for h in $carriers; do account_node "$h"; done
wait_for "five carriers each" 60 json_true elaine "all(m['carriers'] == 5 for m in j)" outbox

for h in $carriers elaine; do lab_uplink "$h" up; done
wait_for "jerry has all three" 60 json_true jerry "len(j) == 3" inbox
for h in $carriers; do
    wait_for "$h uploaded everything" 60 json_true "$h" "j == []" carrying
done
wait_for "elaine sees all delivered" 60 json_true elaine "all(m['state'] == 'delivered' for m in j)" outbox
sleep 3 # let every straggling copy arrive
[ "$(inbox_summary jerry)" = "3 3" ] || fail "jerry's inbox: $(inbox_summary jerry) (entries, distinct)"
expect jerry "sorted(m['body'] for m in j) == ['message 1', 'message 2', 'message 3']" inbox
expect jerry "all(m['from'] == 'elaine@example.org' for m in j)" inbox
echo "ok"
