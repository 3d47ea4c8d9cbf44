#!/bin/bash
# A carrier Elaine met before comes back (issue 13). Elaine dials it at once
# where it was, under TLS with the pin it showed her, without waiting to
# resolve it: a responder that probes (RFC 6762 section 8.1) answers for its
# SRV and TXT records only ~0.75 s after announcing it. (pigeond publishes
# without probing, so here the resolve may finish first; the handoff must
# still go over that first dial.) Back at new addresses, the dial goes there
# as soon as his records answer. Back with a new key, the first dial is
# refused (its certificate is not the pinned one) and the handoff waits for
# Kramer's records, as with a stranger.
. "$(dirname "$0")/lib.sh"

lab_add_host elaine
lab_add_host kramer
lab_wait_avahi elaine kramer
node_start elaine --account elaine@example.org --link-idle 60

# The handshake log's events for Kramer since row AFTER, as "event;detail" lines.
kramer_log() {
    node_ctl elaine peers --log --limit 100000 --json | python3 -c '
import json, sys
for e in json.load(sys.stdin)[int(sys.argv[1]):]:
    if e["instance"] == "kramer@kramer":
        print(e["event"] + ";" + e["detail"])' "$1"
}
log_rows() { node_ctl elaine peers --log --limit 100000 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
present() { json_true elaine "any(p['instance'] == 'kramer@kramer' and p['present'] for p in j)" peers; }
# in_order "EVENTS" A B...: A, B... come in that order among the EVENTS (words).
in_order() {
    python3 -c 'import sys; e = iter(sys.argv[1].split()); sys.exit(0 if all(w in e for w in sys.argv[2:]) else 1)' "$@"
}
resolved_since() { kramer_log "$1" | grep -q '^seen;'; }
handed() { json_true elaine "any(m['id'] == '$1' and m['carriers'] == 1 for m in j)" outbox; }
# Kramer goes, and Elaine's avahi-daemon forgets his records: they live one
# second after his goodbye (RFC 6762 section 10.1).
kramer_goes() {
    node_kill kramer
    wait_for "elaine sees kramer go" 20 eval '! present'
    sleep 1.5
}

# First meeting: found the usual way, once resolved.
node_start kramer
first=$(node_ctl elaine send jerry@example.org "first")
wait_for "kramer takes the first message" 30 handed "$first"
kramer_goes

# Back, same key: the handoff goes over the dial to his last addresses, the
# only one made.
second=$(node_ctl elaine send jerry@example.org "second")
rows=$(log_rows)
node_start kramer
wait_for "kramer takes the second message" 30 handed "$second"
wait_for "elaine resolves kramer again" 30 resolved_since "$rows"
events=$(kramer_log "$rows" | cut -d';' -f1 | tr '\n' ' ')
in_order "$events" back connected handoff ||
    fail "the handoff did not go over the dial made when kramer came back: $events"
[ "$(kramer_log "$rows" | grep -c '^connected;')" = 1 ] ||
    fail "elaine dialled kramer more than once: $(kramer_log "$rows")"
kramer_log "$rows" | grep -q '^back;announced again: its last addresses until it resolves, ' ||
    fail "no 'back' row that says what it dials: $(kramer_log "$rows")"
kramer_goes

# Back at new addresses: the dial to the old ones gives way as soon as
# Kramer's records answer, instead of waiting out its timeout (seconds: no
# host answers there any more).
kramer_ns="$(_lab_ns kramer)"
old6=$(lab_ip6 kramer)
ip -n "$kramer_ns" addr del "$(lab_ip kramer)/24" dev mesh0
ip -n "$kramer_ns" addr del "$old6/64" dev mesh0
ip -n "$kramer_ns" addr add 169.254.1.200/24 dev mesh0
ip -n "$kramer_ns" addr add fe80::c8:200/64 dev mesh0 nodad
sleep 2 # avahi-daemon withdraws the old addresses and announces the new ones
moved=$(node_ctl elaine send jerry@example.org "moved")
rows=$(log_rows)
node_start kramer
wait_for "kramer takes the message sent while he moved" 30 handed "$moved"
events=$(kramer_log "$rows")
in_order "$(echo "$events" | cut -d';' -f1)" back seen connected handoff ||
    fail "elaine did not dial kramer's new addresses once resolved: $events"
echo "$events" | grep '^connected;' | tail -n 1 | grep -Eq ';(169\.254\.1\.200|fe80::c8:200%mesh0) ' ||
    fail "the handoff did not go to kramer's new addresses: $events"
! echo "$events" | grep -q '^connect failed;' ||
    fail "the dial to kramer's old addresses ran out its time: $events"
kramer_goes

# Back with a new key: refused on the old pin, taken once resolved.
rm "$LAB_DIR/node-kramer/data/pigeon/tls-key.pem" "$LAB_DIR/node-kramer/data/pigeon/tls-cert.pem"
third=$(node_ctl elaine send jerry@example.org "third")
rows=$(log_rows)
node_start kramer
wait_for "kramer takes the third message" 30 handed "$third"
events=$(kramer_log "$rows")
echo "$events" | grep -q '^back;' || fail "elaine did not dial kramer back: $events"
echo "$events" | grep -q '^refused;.*is not the one it announces' ||
    fail "the old pin did not refuse kramer's new key: $events"
# His records may answer before or after the old pin's refusal: the handoff
# waits for both.
names=$(echo "$events" | cut -d';' -f1)
if ! in_order "$names" refused handoff || ! in_order "$names" seen handoff; then
    fail "the handoff did not wait for kramer's new pin: $events"
fi
expect kramer "sorted(m['id'] for m in j) == sorted(['$first', '$second', '$moved', '$third'])" carrying

node_kill elaine
node_kill kramer
echo "ok"
