#!/bin/bash
# A wrong password: the server refuses the login, pigeond says so, and does
# not hammer the server; once the user fixes the password file (replacing
# it, as editors do), it logs in at once and what was queued goes out.
. "$(dirname "$0")/lib.sh"

for h in elaine jerry; do lab_add_host "$h"; done
lab_wait_avahi
recipient_across_town
account_user elaine
printf 'not-the-password\n' >"$LAB_DIR/node-elaine/password"
node_start elaine --account elaine@example.org --bosh-url "$LAB_BOSH_URL" \
    --password-file "$LAB_DIR/node-elaine/password" --probe-interval-max 5
node_ctl elaine send jerry@example.org "typed it right this time" >/dev/null
lab_uplink elaine up

wait_for "the server refuses elaine's login" 30 json_true elaine \
    "j['connectivity']['session'] == 'auth-failed'" status
grep -q "trying again in 60 s or when the password file changes" \
    "$LAB_DIR/node-elaine/pigeond.log" || fail "pigeond did not say when it tries again"
# Probes go on (the uplink is up), logins do not: one refusal, not one per probe.
sleep 12
refusals=$(grep -c "the server refused our credentials" "$LAB_DIR/node-elaine/pigeond.log")
[ "$refusals" = 1 ] || fail "$refusals login attempts within 12 s of the first refusal"
expect elaine "j[0]['state'] == 'queued'" outbox

printf 'secret-elaine\n' >"$LAB_DIR/node-elaine/password.new"
chmod 600 "$LAB_DIR/node-elaine/password.new"
mv "$LAB_DIR/node-elaine/password.new" "$LAB_DIR/node-elaine/password"
wait_for "elaine logs in once the file is fixed" 15 json_true elaine \
    "j['connectivity']['session'] == 'online'" status
wait_for "jerry receives the queued message" 30 inbox_has jerry "typed it right this time"
echo "ok"
