#!/bin/bash
# `pigeonctl account set`: a node started without an account gets one from
# the CLI, saved in pigeon.conf (other lines kept) with a 0600 password file,
# and applied without a restart: it logs in and delivers. Bad input is
# refused with a clear error and changes nothing.
. "$(dirname "$0")/lib.sh"

for h in elaine jerry; do lab_add_host "$h"; done
lab_wait_avahi
recipient_across_town
account_user elaine

conf_dir="$LAB_DIR/node-elaine/config/pigeon"
conf="$conf_dir/pigeon.conf"
mkdir -p "$conf_dir"
printf '# elaine keeps notes here\ncarriers = 3\n' >"$conf"
node_start elaine --probe-interval-max 5
lab_uplink elaine up
expect elaine "j['jid'] == ''" account

# refused_with TEXT COMMAND...: COMMAND fails and says TEXT on stderr.
refused_with() {
    text=$1; shift
    if "$@" >/dev/null 2>"$LAB_DIR/refused.err"; then fail "accepted: $*"; fi
    grep -q "$text" "$LAB_DIR/refused.err" || fail "'$*' did not say '$text': $(cat "$LAB_DIR/refused.err")"
}
echo pw | refused_with "invalid account" node_ctl elaine account set 'not a jid'
echo pw | refused_with "invalid account" node_ctl elaine account set example.org
echo pw | refused_with "not an http" node_ctl elaine account set elaine@example.org --bosh-url ftp://x
printf '' | refused_with "reads the password" node_ctl elaine account set elaine@example.org
# A config directory that cannot be written to (even by root: it is a file).
mv "$conf_dir" "$conf_dir.saved" && touch "$conf_dir"
echo pw | refused_with "cannot write" node_ctl elaine account set elaine@example.org
rm "$conf_dir" && mv "$conf_dir.saved" "$conf_dir"
[ "$(cat "$conf")" = "$(printf '# elaine keeps notes here\ncarriers = 3')" ] || fail "a refusal changed $conf"
[ ! -e "$conf_dir/password" ] || fail "a refusal wrote a password file"
expect elaine "j['jid'] == '' and j['connectivity']['session'] == 'no account'" account

echo secret-elaine | node_ctl elaine account set elaine@example.org --bosh-url "$LAB_BOSH_URL" \
    >/dev/null || fail "account set failed"
grep -qx "# elaine keeps notes here" "$conf" && grep -qx "carriers = 3" "$conf" ||
    fail "account set lost the other lines of $conf"
grep -qx "account = elaine@example.org" "$conf" && grep -qx "bosh-url = $LAB_BOSH_URL" "$conf" &&
    grep -qx "password-file = $conf_dir/password" "$conf" || fail "$conf lacks the account: $(cat "$conf")"
[ "$(stat -c %a "$conf_dir/password")" = 600 ] || fail "the password file is not 0600"
grep -qx secret-elaine "$conf_dir/password" || fail "the password file does not hold the password"

wait_for "elaine logs in without a restart" 30 json_true elaine \
    "j['jid'] == 'elaine@example.org' and j['connectivity']['session'] == 'online'" account
expect elaine "j['bosh_url_source'] == 'configured'" account
node_ctl elaine send jerry@example.org "account set" >/dev/null
wait_for "jerry receives elaine's message" 30 inbox_has jerry "account set"

# The file is one pigeond can start from.
node_kill elaine
node_start elaine --probe-interval-max 5
wait_for "elaine logs in from pigeon.conf after a restart" 30 json_true elaine \
    "j['jid'] == 'elaine@example.org' and j['connectivity']['session'] == 'online'" account
# Switching to another account while a password change waits on a frozen
# server: the waiting request gets an answer (not silence), the new account
# logs in, and a neighbour sees the new jid in our TXT record.
lab_add_host kramer
lab_wait_avahi kramer
node_start kramer
wait_for "kramer sees elaine's account" 30 json_true kramer \
    "any(p['instance'] == 'elaine@elaine' and p['jid'] == 'elaine@example.org' for p in j)" peers
account_user newman
kill -STOP "$(cat "$LAB_DIR/server/prosody.pid")"
(rc=0; echo other-secret | node_ctl elaine account passwd >"$LAB_DIR/passwd.out" 2>&1 || rc=$?
 echo "$rc" >"$LAB_DIR/passwd.rc") &
wait_for "the password change is under way" 10 \
    grep -q "asking the server to change the password" "$LAB_DIR/node-elaine/pigeond.log"
echo secret-newman | node_ctl elaine account set newman@example.org --bosh-url "$LAB_BOSH_URL" \
    >/dev/null || fail "account set failed"
wait_for "the waiting password change is answered" 10 test -s "$LAB_DIR/passwd.rc"
[ "$(cat "$LAB_DIR/passwd.rc")" != 0 ] && grep -q "account changed" "$LAB_DIR/passwd.out" ||
    fail "passwd said: $(cat "$LAB_DIR/passwd.out")"
grep -qx secret-newman "$conf_dir/password" || fail "the cancelled change touched the password file"
kill -CONT "$(cat "$LAB_DIR/server/prosody.pid")"
wait_for "elaine logs in as newman" 40 json_true elaine \
    "j['jid'] == 'newman@example.org' and j['connectivity']['session'] == 'online'" account
wait_for "kramer sees the new account" 30 json_true kramer \
    "any(p['instance'] == 'elaine@elaine' and p['jid'] == 'newman@example.org' for p in j)" peers
echo "ok"
