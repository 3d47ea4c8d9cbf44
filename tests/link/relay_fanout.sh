#!/bin/bash
# A carrier, not only the origin, hands on to one carrier after another with
# binary spray-and-wait (issue 11): each gets floor(n/2) of the budget n the
# giver holds, until the giver is down to 1 and only delivers. At every step
# what all holders have adds up to L = 8, and nobody holds a copy twice.
#   a (L = 8, K = 1) hands to b: b 4, a keeps 4; a leaves.
#   c comes: b gives it 2, keeps 2; c leaves. d comes: b gives it 1, keeps 1.
#   e comes: b, down to 1, gives nothing. c comes back: it gives e 1, keeps 1.
. "$(dirname "$0")/lib.sh"

for h in a b c d e; do lab_add_host "$h"; done
lab_wait_avahi
node_start a --copies 8 --carriers 1
node_start b

# budgets: prints "holder:copies ..." for the running hosts that carry the
# message, and checks that none holds it twice.
budgets() {
    for h in "$@"; do
        node_ctl "$h" carrying --json | python3 -c '
import json, sys
j = [m for m in json.load(sys.stdin) if m["id"] == sys.argv[2]]
if len(j) > 1: sys.exit(sys.argv[1] + " holds it twice")
print("%s:%d" % (sys.argv[1], j[0]["copies"]) if j else "%s:0" % sys.argv[1])' "$h" "$id" ||
            fail "$h holds $id twice"
    done | tr '\n' ' '
}
expect_budgets() { # EXPECTED HOSTS...: the budgets, as budgets prints them
    want=$1; shift
    got=$(budgets "$@")
    [ "$got" = "$want " ] || fail "budgets are '$got', expected '$want'"
}

id=$(node_ctl a send jerry@example.org "fanned out")
wait_for "b carries it" 30 json_true b "[m['id'] for m in j] == ['$id']" carrying
expect a "j[0]['carriers'] == 1" outbox
expect_budgets "b:4" b
node_kill a # it keeps 4: 4 + 4 = 8

node_start c
wait_for "b hands it on to c" 30 json_true c "len(j) == 1" carrying
wait_for "b's budget is down to 2" 10 json_true b "j[0]['copies'] == 2" carrying
expect_budgets "b:2 c:2" b c
node_kill c

node_start d
wait_for "b hands it on to d" 30 json_true d "len(j) == 1" carrying
wait_for "b's budget is down to 1" 10 json_true b "j[0]['copies'] == 1" carrying
expect_budgets "b:1 d:1" b d
expect d "j[0]['path'] == ['a@a', 'b@b']" carrying

node_start e
wait_for "b sees e" 20 json_true b "any(p['instance'] == 'e@e' and p['present'] for p in j)" peers
sleep 3 # time enough for a handoff that must not happen: b and d hold 1 each
expect_budgets "b:1 d:1 e:0" b d e

node_start c
wait_for "c hands it on to e" 30 json_true e "len(j) == 1" carrying
wait_for "c's budget is down to 1" 10 json_true c "j[0]['copies'] == 1" carrying
expect e "j[0]['path'] == ['a@a', 'b@b', 'c@c']" carrying
# a 4, b 1, c 1, d 1, e 1: the budget L = 8, spread, never grown.
expect_budgets "b:1 c:1 d:1 e:1" b c d e
expect b "[e['instance'] for e in j if e['event'] == 'relaying'] == ['c@c', 'd@d']" peers --log
for h in d e; do expect "$h" "not any(e['event'] == 'relaying' for e in j)" peers --log; done
for h in b c d e; do node_kill "$h"; done
echo "ok"
