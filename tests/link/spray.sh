#!/bin/bash
# Binary spray-and-wait (issue 11): a carrier hands a carried message on with
# half its budget, after its origin is gone, never back to an agent on the
# message's path; budgets and paths show in `carrying`.
#   a (L = 8, K = 1) hands to b: b gets 4, a keeps 4 and hands to nobody else.
#   a stops; c appears: b hands on to c, c gets 2 and b keeps 2; c does not
#   hand back to b.
#   b stops; a comes back and d appears: c hands on to d (d gets 1, c keeps 1),
#   never to a.
. "$(dirname "$0")/lib.sh"

for h in a b c d; do lab_add_host "$h"; done
lab_wait_avahi a b c d
node_start a --copies 8 --carriers 1
node_start b

id=$(node_ctl a send jerry@example.org "over three hops")
wait_for "a hands its message to b" 30 json_true a "j[0]['carriers'] == 1" outbox
expect b "len(j) == 1 and j[0]['id'] == '$id'" carrying
expect b "j[0]['copies'] == 4 and j[0]['path'] == ['a@a']" carrying
node_kill a

node_start c
wait_for "b hands the message on to c" 30 json_true c "len(j) == 1 and j[0]['id'] == '$id'" carrying
expect c "j[0]['copies'] == 2 and j[0]['path'] == ['a@a', 'b@b'] and j[0]['from_peer'] == 'b@b'" carrying
wait_for "b's budget is down to 2" 10 json_true b "j[0]['copies'] == 2" carrying
expect b "any(e['event'] == 'relayed' and e['instance'] == 'c@c' for e in j)" peers --log
# c holds budget but b held the message: c never offers it back.
expect c "not any(e['event'] == 'relaying' for e in j)" peers --log
expect b "len(j) == 1 and j[0]['from_peer'] == 'a@a'" carrying
node_kill b

node_start a --copies 8 --carriers 1
wait_for "c sees a again" 20 json_true c "any(p['instance'] == 'a@a' and p['present'] for p in j)" peers
node_start d
wait_for "c hands the message on to d" 30 json_true d "len(j) == 1 and j[0]['id'] == '$id'" carrying
expect d "j[0]['copies'] == 1 and j[0]['path'] == ['a@a', 'b@b', 'c@c']" carrying
wait_for "c's budget is down to 1" 10 json_true c "j[0]['copies'] == 1" carrying
# Nothing went back to a, which held it first; d, with one copy, hands on nothing.
expect c "[e['instance'] for e in j if e['event'] == 'relaying'] == ['d@d']" peers --log
expect a "len(j) == 0" carrying
expect d "not any(e['event'] == 'relaying' for e in j)" peers --log
expect a "j[0]['carriers'] == 1 and j[0]['state'] == 'queued'" outbox

for h in a c d; do node_kill "$h"; done
echo "ok"
