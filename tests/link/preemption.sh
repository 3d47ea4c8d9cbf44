#!/bin/bash
# No pre-emption (issue 12): Mallory, a scripted neighbour, hands Kramer a
# forged copy under Elaine's name and the origin-id of Elaine's real message
# before Elaine meets him. Kramer does not know Elaine's key, so he cannot
# tell which is genuine: he keeps both apart (a digest of each payload) and
# answers Elaine `stored`, not `duplicate`. The same bytes again from Mallory
# are her copy, taken again (not a second one).
. "$(dirname "$0")/lib.sh"

lab_add_host elaine
lab_add_host kramer
lab_add_host mallory
lab_wait_avahi elaine kramer mallory
# Elaine queues her message out of everybody's sight.
node_start elaine --account elaine@example.org --link-local no
id=$(node_ctl elaine send jerry@example.org "the genuine one")
node_kill elaine

node_start kramer
# Announces her (without a TLS pin: the script speaks plain), so that her scripted stream is identified.
node_start mallory --carry off --link-tls no
at=$(date +%s%3N) # both plantings the same bytes
plant() {
    lab_exec mallory python3 "$(dirname "$0")/carry_peer.py" "$(lab_ip kramer)" mallory@mallory \
        kramer@kramer --origin elaine@example.org --ids "$id" --text "a forgery" --at "$at"
}
plant >"$LAB_DIR/plant.json" || fail "mallory could not plant her copy"
grep -q '"status": "stored"' "$LAB_DIR/plant.json" || fail "the forgery was not taken: $(cat "$LAB_DIR/plant.json")"
expect kramer "[m['id'] for m in j] == ['$id']" carrying

# Elaine meets Kramer: her message is stored beside the forgery.
node_start elaine --account elaine@example.org
wait_for "elaine's handoff" 30 json_true elaine \
    "any(c['carrier'] == 'kramer@kramer' for c in j[0]['carrier_list'])" outbox
expect kramer "[m['id'] for m in j] == ['$id', '$id']" carrying
expect kramer "j['counters']['carried_for_others'] == 2" status
expect kramer "any(e['event'] == 'carrying' and e['instance'] == 'elaine@elaine' and e['detail'].startswith('1 new, 0 already held') for e in j)" peers --log

# The same forged bytes again, from the same giver, are the copy she gave
# before (as after a lost answer), taken again: nothing new is stored, and
# Elaine's copy is untouched.
plant >"$LAB_DIR/again.json" || fail "mallory could not hand her copy again"
grep -q '"status": "stored"' "$LAB_DIR/again.json" || fail "her copy was not taken again: $(cat "$LAB_DIR/again.json")"
expect kramer "len(j) == 2" carrying
expect kramer "j['counters']['carried_for_others'] == 2" status
expect kramer "sorted(m['from_peer'] for m in j) == ['elaine@elaine', 'mallory@mallory']" carrying
echo "ok"
