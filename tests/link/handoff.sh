#!/bin/bash
# Elaine, offline, hands her message to Kramer over a real link-local stream;
# Kramer acknowledges only after a durable commit, so even a kill -9 right
# after the acknowledgement leaves him holding it.
. "$(dirname "$0")/lib.sh"

lab_add_host elaine
lab_add_host kramer
lab_wait_avahi elaine kramer
node_start elaine --account elaine@example.org
node_start kramer --account kramer@example.org

id=$(node_ctl elaine send jerry@example.org "running late")
wait_for "elaine's message gets a carrier" 30 json_true elaine "j[0]['carriers'] == 1" outbox
node_kill kramer KILL # right after the acknowledgement

expect elaine "j[0]['carrier_list'][0]['carrier'] == 'kramer@kramer'" outbox
expect elaine "j[0]['state'] == 'queued'" outbox
expect elaine "j['counters']['handed_to_carriers'] == 1" status

node_start kramer --account kramer@example.org
expect kramer "len(j) == 1" carrying
expect kramer "j[0]['id'] == '$id' and j[0]['origin'] == 'elaine@example.org'" carrying
expect kramer "j[0]['to'] == 'jerry@example.org' and j[0]['from_peer'] == 'elaine@elaine'" carrying
expect kramer "j[0]['expires'] > j[0]['received']" carrying
expect kramer "j['counters']['carried_for_others'] == 1" status

# Both know each other as carriers, and the handshake is logged.
expect elaine "any(p['instance'] == 'kramer@kramer' and p['kind'] == 'carrier' for p in j)" peers
expect kramer "any(e['event'] == 'carrying' for e in j)" peers --log
expect elaine "any(e['event'] == 'handoff' for e in j)" peers --log

# A second message goes over the same way, and nothing is handed twice.
node_ctl elaine send newman@example.org "hello newman" >/dev/null
wait_for "the second message gets a carrier" 30 json_true elaine "all(m['carriers'] == 1 for m in j)" outbox
expect kramer "len(j) == 2" carrying
expect elaine "j['counters']['handed_to_carriers'] == 2" status

# Both stop cleanly while their stream is still open (it idles out after 5 s).
node_kill elaine
node_kill kramer
echo "ok"
