#!/bin/bash
# Finding the server with nothing configured but the account: the daemon
# (transport auto, no bosh-url) asks the lab's DNS for the SRV records and
# logs in over direct TLS (_xmpps-client, XEP-0368); with only the A record
# it uses example.org:5222 and STARTTLS; when c2s cannot get through (no
# address at all), auto falls back to BOSH at the configured URL.
export PIGEON_TRANSPORT=auto
. "$(dirname "$0")/lib.sh"

lab_add_host elaine
lab_wait_avahi elaine
account_user elaine
lab_uplink elaine up
args=(--account elaine@example.org --tls-ca-file "$LAB_CA" --link-local no
      --password-file "$LAB_DIR/node-elaine/password" --probe-interval-max 5)

node_start elaine "${args[@]}"
wait_for "elaine logs in through SRV" 30 json_true elaine \
    "j['connectivity']['session'] == 'online'" status
expect elaine "j['connectivity']['transport'] == 'c2s'" status
expect elaine "'direct TLS' in j['connectivity']['connection']" status
grep -q "_xmpps-client._tcp.example.org" "$LAB_DIR/server/dnsmasq.log" || fail "no SRV query"
node_kill elaine

lab_dns_srv none
node_start elaine "${args[@]}"
wait_for "elaine logs in at example.org:5222" 30 json_true elaine \
    "j['connectivity']['session'] == 'online'" status
expect elaine "'STARTTLS' in j['connectivity']['connection']" status
node_kill elaine

lab_dns_srv off
node_start elaine "${args[@]}" --bosh-url "$LAB_BOSH_URL"
wait_for "elaine falls back to BOSH" 30 json_true elaine \
    "j['connectivity']['session'] == 'online'" status
expect elaine "j['connectivity']['transport'] == 'bosh'" status
echo ok
