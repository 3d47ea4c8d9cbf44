#!/bin/bash
# A neighbour's TLS pin is tied to its account (issue 12): a pigeond signs
# its pin with the identity key its server publishes, and its neighbours
# check that signature with the key they fetch from the lab's Prosody
# (nothing is put in a store by hand). Mallory announces Newman's account
# with a signature of her own: Elaine, offline, takes her stream as
# unvouched; once online she fetches Newman's key, closes that stream and
# refuses the next, saying why in `peers --log`. Kramer, met while Elaine is
# online, is vouched; his new TLS key is refused until Elaine's user runs
# `peers forget-pin`, and then his streams are taken again.
. "$(dirname "$0")/lib.sh"

lab_add_host elaine
lab_add_host kramer
lab_add_host mallory
lab_add_host newman
lab_wait_avahi elaine kramer mallory newman

pin_of() { # HOST INSTANCE STATE: HOST shows INSTANCE's pin as STATE
    json_true "$1" "any(p['instance'] == '$2' and p['pin'] == '$3' for p in j)" peers
}
refusals() { # HOST INSTANCE WORDS: how many refusals of INSTANCE say WORDS
    node_ctl "$1" peers --log --json | python3 -c 'import json,sys
print(sum(1 for e in json.load(sys.stdin) if e["instance"] == sys.argv[1]
          and e["event"] == "refused" and sys.argv[2] in e["detail"]))' "$2" "$3"
}
mallory_refused() { # COUNT: elaine refused mallory for her pin at least COUNT times
    [ "$(refusals elaine mallory@mallory 'does not check with the key of newman@example.org')" -ge "$1" ]
}

echo "# newman and kramer publish their keys on the server, away from the link"
account_node newman --link-local no
lab_uplink newman up
account_node kramer --link-local no
lab_uplink kramer up
for host in newman kramer; do
    wait_for "$host publishes its key" 30 json_true "$host" "j['connectivity']['key_published']" status
done
lab_uplink kramer down
node_kill kramer

echo "# offline, elaine cannot check mallory's signed pin: unvouched, her stream taken"
account_node elaine --link-idle 60
node_start mallory --account newman@example.org --bosh-url "$LAB_BOSH_URL" \
    --password-file "$LAB_DIR/node-newman/password" --link-idle 60
wait_for "elaine sees mallory's pin" 20 json_true elaine \
    "any(p['instance'] == 'mallory@mallory' and p['pinned'] for p in j)" peers
expect elaine "any(p['instance'] == 'mallory@mallory' and p['pin'] == 'unvouched' for p in j)" peers
node_ctl mallory send jerry@example.org "trust me" >/dev/null
wait_for "elaine carries mallory's message" 30 json_true mallory "j[0]['carriers'] == 1" outbox
expect elaine "any(p['instance'] == 'mallory@mallory' and p['connected'] and p['encrypted'] for p in j)" peers

echo "# online, she fetches newman's key: mallory's open stream is closed, the next refused"
lab_uplink elaine up
wait_for "mallory's pin is a mismatch" 30 pin_of elaine mallory@mallory mismatch
wait_for "elaine closes mallory's stream" 10 mallory_refused 2
expect elaine "not any(p['instance'] == 'mallory@mallory' and p['connected'] for p in j)" peers
again=$(node_ctl mallory send jerry@example.org "trust me again")
wait_for "elaine refuses mallory's next stream" 30 mallory_refused 3
expect mallory "any(m['id'] == '$again' and m['carriers'] == 0 for m in j)" outbox

echo "# kramer, met while elaine is online: his key is fetched, his pin vouched"
account_start kramer --link-idle 60
wait_for "kramer's pin is vouched" 30 pin_of elaine kramer@kramer vouched
expect elaine "any(e['instance'] == 'kramer@kramer' and e['event'] == 'pin vouched' for e in j)" peers --log
node_ctl elaine peers | grep -Eq '^kramer@kramer +carrier +[a-z]+ +[a-z-]+ +vouched ' ||
    fail "pigeonctl peers does not show kramer's pin vouched: $(node_ctl elaine peers)"
expect elaine "not any(c['jid'] == 'kramer@example.org' for c in j)" contacts
node_kill mallory

echo "# kramer's new TLS key: refused until elaine forgets the old pin"
lab_uplink elaine down
wait_for "elaine is offline" 30 json_true elaine "j['connectivity']['state'] == 'offline'" status
node_kill kramer
rm "$LAB_DIR/node-kramer/data/pigeon/tls-key.pem" "$LAB_DIR/node-kramer/data/pigeon/tls-cert.pem"
account_start kramer --link-idle 60
wait_for "kramer's new pin is a mismatch" 30 pin_of elaine kramer@kramer mismatch
[ "$(refusals elaine kramer@kramer 'not the one vouched for kramer@example.org')" -ge 1 ] ||
    fail "peers --log does not say why kramer's new pin is refused"
id=$(node_ctl elaine send jerry@example.org "running late")
sleep 2
expect elaine "any(m['id'] == '$id' and m['carriers'] == 0 for m in j)" outbox
node_ctl elaine peers forget-pin kramer@kramer | grep -q "forgot the TLS pin" ||
    fail "forget-pin did not forget kramer's pin"
wait_for "kramer's new pin is vouched" 10 pin_of elaine kramer@kramer vouched
wait_for "kramer carries elaine's message" 30 json_true elaine \
    "any(m['id'] == '$id' and m['carriers'] == 1 for m in j)" outbox
expect elaine "any(p['instance'] == 'kramer@kramer' and p['connected'] and p['encrypted'] for p in j)" peers
expect elaine "j['forgotten'] == False" peers forget-pin nobody@nowhere

node_kill elaine
node_kill kramer
node_kill newman
echo "ok"
