#!/bin/bash
# Account life cycle against the real server: in-band registration, a
# contact added offline and synced later, a password change that the next
# start logs in with, and carry = contacts refusing strangers.
. "$(dirname "$0")/lib.sh"

for h in elaine george newman; do lab_add_host "$h"; done
lab_wait_avahi
# George's account does not exist on the server yet.
mkdir -p "$LAB_DIR/node-george"
printf 'first-password\n' >"$LAB_DIR/node-george/password"
chmod 600 "$LAB_DIR/node-george/password"
george_args=(--account george@example.org --bosh-url "$LAB_BOSH_URL" --carry contacts
             --password-file "$LAB_DIR/node-george/password" --probe-interval-max 5)
node_start george "${george_args[@]}"

node_ctl george contacts add elaine@example.org Elaine >/dev/null
expect george "j[0]['jid'] == 'elaine@example.org' and not j[0]['synced']" contacts
expect_fail() { ! "$@" >/dev/null 2>&1; }
expect_fail node_ctl george account register || fail "registration without an uplink succeeded"

lab_uplink george up
wait_for "george's probe sees the server" 30 json_true george "j['connectivity']['state'] == 'online'" status
wait_for "george's login fails: no account yet" 30 json_true george \
    "j['connectivity']['session'] == 'auth-failed'" status
node_ctl george account register >/dev/null || fail "registration failed"
expect_fail node_ctl george account register || fail "registering twice succeeded"
wait_for "george logs in" 30 json_true george "j['connectivity']['session'] == 'online'" status
wait_for "the offline contact reaches the server" 30 json_true george "j[0]['synced']" contacts

echo "second-password" | node_ctl george account passwd >/dev/null || fail "password change failed"
grep -qx second-password "$LAB_DIR/node-george/password" || fail "password file not updated"
node_kill george
node_start george "${george_args[@]}"
wait_for "george logs in with the new password" 30 json_true george \
    "j['connectivity']['session'] == 'online'" status

# carry = contacts: Elaine is George's contact, Newman is not.
account_node newman
node_ctl newman send jerry@example.org "from a stranger" >/dev/null
wait_for "george refuses newman" 30 json_true george \
    "any(e['event'] == 'carry refused' and e['instance'] == 'newman@newman' for e in j)" peers --log
expect newman "j[0]['carriers'] == 0" outbox
account_node elaine
node_ctl elaine send jerry@example.org "from a friend" >/dev/null
wait_for "george carries for elaine" 30 json_true elaine \
    "any(c['carrier'] == 'george@george' for c in j[0]['carrier_list'])" outbox
echo "ok"
