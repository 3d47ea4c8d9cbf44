#!/bin/bash
# c2s TLS: the server's certificate is checked against the XMPP domain.
# One naming another host is refused with a clear error in status and the
# log (session tls-failed, not auth-failed, not offline); tls-insecure lets it
# through with a warning in both; the lab's CA is trusted through
# tls-ca-file, and without it the certificate is untrusted.
export PIGEON_TRANSPORT=c2s
. "$(dirname "$0")/lib.sh"

lab_add_host elaine
lab_wait_avahi elaine
account_user elaine
lab_uplink elaine up
log=$LAB_DIR/node-elaine/pigeond.log

lab_server_cert wrong.example.net
account_start elaine --link-local no
wait_for "elaine refuses the certificate" 30 json_true elaine \
    "j['connectivity']['session'] == 'tls-failed'" status
expect elaine "'not for example.org (wrong name)' in j['connectivity']['session_error']" status
expect elaine "j['connectivity']['tls_insecure'] == False" status
grep -q "not for example.org (wrong name)" "$log" || fail "the log does not say why"
node_ctl elaine status | grep -q "last error: .*wrong name" || fail "pigeonctl status does not say why"
node_kill elaine

account_start elaine --link-local no --tls-insecure yes
wait_for "elaine logs in, insecurely" 30 json_true elaine \
    "j['connectivity']['session'] == 'online'" status
expect elaine "j['connectivity']['tls_insecure'] == True" status
node_ctl elaine status | grep -q "WARNING: tls-insecure" || fail "pigeonctl status hides tls-insecure"
grep -q "tls-insecure is set" "$log" || fail "no warning in the log"
node_kill elaine

lab_server_cert example.org
account_start elaine --link-local no
wait_for "elaine logs in with the lab CA" 30 json_true elaine \
    "j['connectivity']['session'] == 'online'" status
expect elaine "j['connectivity']['transport'] == 'c2s'" status
node_kill elaine

# Without the lab CA the certificate comes from nobody we trust.
node_start elaine --account elaine@example.org --transport c2s \
    --password-file "$LAB_DIR/node-elaine/password" --probe-interval-max 5 --link-local no
wait_for "elaine refuses an untrusted certificate" 30 json_true elaine \
    "j['connectivity']['session'] == 'tls-failed'" status
expect elaine "'untrusted' in j['connectivity']['session_error']" status
echo ok
