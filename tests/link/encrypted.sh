#!/bin/bash
# Elaine hands her message to Kramer over a link-local stream under TLS, each
# checking the other's key against the pin its TXT record announces (issue
# 12): tcpdump on elaine's veth sees the STARTTLS but no JID and no body.
# A neighbour that does not show the key its pin names, or that talks plain
# although it announces a pin, is refused, and `peers --log` says so.
. "$(dirname "$0")/lib.sh"
command -v tcpdump >/dev/null || fail "tcpdump is missing (scripts/install-deps installs it)"

lab_add_host elaine
lab_add_host kramer
lab_add_host mallory
lab_wait_avahi elaine kramer mallory

# TCP only: the TXT records announce the JIDs over mDNS, in the open by design.
pcap="$LAB_DIR/mesh.pcap"
dump=$(lab_spawn elaine "$LAB_DIR/tcpdump.log" tcpdump -i mesh0 --immediate-mode -U -n -w "$pcap" tcp)
wait_for "tcpdump listens" 10 grep -q "listening on" "$LAB_DIR/tcpdump.log"

node_start elaine --account elaine@example.org --link-idle 60
node_start kramer --account kramer@example.org --link-idle 60
wait_for "elaine sees kramer's pin" 20 json_true elaine \
    "any(p['instance'] == 'kramer@kramer' and p['pinned'] for p in j)" peers

id=$(node_ctl elaine send jerry@example.org "running late")
wait_for "elaine's message gets a carrier" 30 json_true elaine "j[0]['carriers'] == 1" outbox
expect kramer "len(j) == 1 and j[0]['id'] == '$id'" carrying
expect elaine "any(p['instance'] == 'kramer@kramer' and p['connected'] and p['encrypted'] for p in j)" peers
expect elaine "any(e['event'] == 'open' and e['detail'] == 'outbound, encrypted' for e in j)" peers --log
expect kramer "any(e['event'] == 'open' and e['detail'].endswith(', encrypted') for e in j)" peers --log

kill -INT "$dump"
wait_for "tcpdump writes its capture" 10 sh -c "! kill -0 $dump"
# More than the file's 24-byte header. Immediate mode above: else packets
# wait in the kernel's capture buffer, and stopping tcpdump loses them.
[ "$(stat -c %s "$pcap")" -gt 24 ] || fail "tcpdump captured nothing: $(cat "$LAB_DIR/tcpdump.log")"
# The capture has the stream: its plain start, with the instance names.
grep -aqF "urn:ietf:params:xml:ns:xmpp-tls" "$pcap" || fail "the capture has no STARTTLS"
grep -aqF "elaine@elaine" "$pcap" || fail "the capture has no stream header"
for secret in elaine@example.org jerry@example.org kramer@example.org "running late" "$id"; do
    ! grep -aqF "$secret" "$pcap" || fail "'$secret' crossed the link in clear"
done

# Mallory's pigeond announces her pin; her script shows another key, then talks plain.
node_start mallory --carry off
openssl req -x509 -newkey ed25519 -nodes -keyout "$LAB_DIR/other-key.pem" \
    -out "$LAB_DIR/other-cert.pem" -subj /CN=mallory -days 1 2>/dev/null
wait_for "elaine sees mallory's pin" 20 json_true elaine \
    "any(p['instance'] == 'mallory@mallory' and p['pinned'] for p in j)" peers
peer() { lab_exec mallory python3 "$(dirname "$0")/tls_peer.py" "$(lab_ip elaine)" mallory@mallory elaine@elaine "$@"; }
peer tls --cert "$LAB_DIR/other-cert.pem" --key "$LAB_DIR/other-key.pem" ||
    fail "a key other than the pinned one was served ($?)"
expect elaine "any(e['instance'] == 'mallory@mallory' and e['event'] == 'refused' and 'is not the one it announces' in e['detail'] for e in j)" peers --log
peer plain || fail "a plain stream from a pinned peer was served ($?)"
expect elaine "any(e['instance'] == 'mallory@mallory' and e['event'] == 'refused' and 'in plain' in e['detail'] for e in j)" peers --log

node_kill elaine
node_kill kramer
node_kill mallory
echo "ok"
