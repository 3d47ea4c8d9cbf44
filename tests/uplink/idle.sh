#!/bin/bash
# An idle daemon does nothing: no busy polling, no short timers. Elaine is
# logged in (a BOSH long poll waits on the server) next to a neighbour,
# Kramer has no account; once all is settled, each daemon is counted for
# 10 seconds by how often it went to sleep and woke again (the kernel's
# context-switch counters). A loop polling every 100 ms would score ~100.
. "$(dirname "$0")/lib.sh"

for h in elaine kramer; do lab_add_host "$h"; done
lab_wait_avahi
account_user elaine
node_start elaine --account elaine@example.org --bosh-url "$LAB_BOSH_URL" \
    --password-file "$LAB_DIR/node-elaine/password"
node_start kramer
lab_uplink elaine up
wait_for "elaine is online" 30 json_true elaine "j['connectivity']['session'] == 'online'" status
wait_for "kramer sees elaine" 30 json_true kramer \
    "any(p['instance'] == 'elaine@elaine' and p['present'] for p in j)" peers
sleep 5 # the first probes and announcements are over

switches() { # HOST: voluntary + involuntary context switches of its pigeond so far
    awk '/ctxt_switches/ { n += $2 } END { print n }' "/proc/$(node_pid "$1")/status"
}
before_elaine=$(switches elaine); before_kramer=$(switches kramer)
sleep 10
elaine_wakeups=$(( $(switches elaine) - before_elaine ))
kramer_wakeups=$(( $(switches kramer) - before_kramer ))
echo "idle wakeups in 10 s: elaine (online, one neighbour) $elaine_wakeups, kramer (link-local only) $kramer_wakeups"
# Elaine may probe once in the window (its backoff is at 10-20 s by now).
[ "$elaine_wakeups" -le 40 ] || fail "elaine woke $elaine_wakeups times in 10 s while idle"
[ "$kramer_wakeups" -le 10 ] || fail "kramer woke $kramer_wakeups times in 10 s while idle"
echo "ok"
