#!/bin/bash
# Why pigeond is not online, told apart: no uplink, a host-meta that names no
# BOSH URL (the server's own: ejabberd answers host-meta only when asked by
# domain, Prosody serves none), and a refused password are different
# `connectivity.problem` values and different messages from `account
# register` and `account passwd`.
. "$(dirname "$0")/lib.sh"

for h in george elaine; do lab_add_host "$h"; done
lab_wait_avahi
mkdir -p "$LAB_DIR/node-george"
printf 'george-password\n' >"$LAB_DIR/node-george/password"
chmod 600 "$LAB_DIR/node-george/password"
node_start george --account george@example.org --password-file "$LAB_DIR/node-george/password" \
    --host-meta-url "http://$LAB_SERVER_IP:5280/.well-known/host-meta" --probe-interval-max 5

# error_of HOST ARGS...: pigeonctl fails and prints why.
error_of() {
    if node_ctl "$@" >"$LAB_DIR/out.txt" 2>&1; then
        fail "pigeonctl $* succeeded"
    fi
    cat "$LAB_DIR/out.txt"
}

wait_for "george has probed" 30 json_true george "j['connectivity']['last_probe'] is not None" status
expect george "j['connectivity']['problem'] == 'no-uplink'" status
error_of george account register </dev/null | grep -q "not reachable (no uplink)" ||
    fail "register without an uplink: $(cat "$LAB_DIR/out.txt")"
node_ctl george status | grep -q "no uplink" || fail "status does not say: no uplink"

lab_uplink george up
wait_for "george reads the server's host-meta" 30 json_true george \
    "j['connectivity']['problem'] == 'discovery-failed'" status
expect george "j['connectivity']['session'] == 'discovering'" status
error_of george account register </dev/null | grep -q "BOSH URL could not be discovered" ||
    fail "register with a failed discovery: $(cat "$LAB_DIR/out.txt")"
grep -q "no uplink" "$LAB_DIR/out.txt" && fail "a failed discovery reads as no uplink"
node_ctl george status | grep -q "could not be discovered" || fail "status does not say: discovery failed"

account_user elaine
printf 'not-the-password\n' >"$LAB_DIR/node-elaine/password"
account_start elaine --link-local no
lab_uplink elaine up
wait_for "elaine's login is refused" 30 json_true elaine \
    "j['connectivity']['session'] == 'auth-failed' and j['connectivity']['problem'] == 'auth-failed'" status
echo new-password | error_of elaine account passwd | grep -q "refused our password" ||
    fail "passwd after a refused login: $(cat "$LAB_DIR/out.txt")"
node_ctl elaine status | grep -q "refused the password" || fail "status does not say: password refused"
printf 'secret-elaine\n' >"$LAB_DIR/node-elaine/password"
wait_for "elaine logs in with the fixed password" 30 json_true elaine \
    "j['connectivity']['session'] == 'online' and j['connectivity']['problem'] == 'none'" status
echo "ok"
