#!/bin/bash
# Seven hosts: the sender's messages go to exactly five carriers (K=5), no more,
# however long the others stay around.
. "$(dirname "$0")/lib.sh"

hosts="c1 c2 c3 c4 c5 c6"
lab_add_host elaine
for h in $hosts; do lab_add_host "$h"; done
lab_wait_avahi elaine $hosts
# One copy each (copies = 1: single-hop): with spray-and-wait the carriers
# would rightly hand copies on to the sixth, and K is what is counted here.
node_start elaine --account elaine@example.org --copies 1
for i in 1 2 3; do node_ctl elaine send jerry@example.org "message $i" >/dev/null; done
# A long idle timeout on the carriers too: the second half needs George's
# streams to stay open from both ends while he checks them one by one.
for h in $hosts; do node_start "$h" --link-idle 120; done

wait_for "every message has five carriers" 60 json_true elaine "all(m['carriers'] == 5 for m in j)" outbox
sleep 3 # give a sixth carrier every chance to show up
expect elaine "all(m['carriers'] == 5 for m in j)" outbox
expect elaine "all(len(set(c['carrier'] for c in m['carrier_list'])) == 5 for m in j)" outbox
expect elaine "j['counters']['handed_to_carriers'] == 15" status

total=0
for h in $hosts; do
    n=$(node_ctl "$h" carrying --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
    total=$((total + n))
done
[ "$total" -eq 15 ] || fail "carriers hold $total copies, expected 15"

# Six carriers in contact at the same moment: George first opens a stream to
# each (a direct message to every one of them, kept open by a long idle
# timeout), then queues three messages. Offered everywhere at once they would
# get six carriers; each must still get exactly five.
lab_add_host george
lab_wait_avahi george
node_start george --account george@example.org --link-idle 120
for h in $hosts; do node_ctl george send "$h@$h" "hello $h" >/dev/null; done
wait_for "george's direct messages are delivered" 60 json_true george \
    "len(j) == 6 and all(m['state'] == 'delivered' for m in j)" outbox
for h in $hosts; do
    json_true george "any(p['instance'] == '$h@$h' and p['connected'] for p in j)" peers ||
        fail "george has no open stream with $h"
done
for i in 1 2 3; do node_ctl george send jerry@example.org "crowded $i" >/dev/null; done
wait_for "george's messages have five carriers" 60 json_true george \
    "all(m['carriers'] == 5 for m in j if m['to'] == 'jerry@example.org')" outbox
sleep 3
expect george "all(m['carriers'] == 5 for m in j if m['to'] == 'jerry@example.org')" outbox
expect george "all(len(set(c['carrier'] for c in m['carrier_list'])) == 5 for m in j if m['to'] == 'jerry@example.org')" outbox
echo "ok"
