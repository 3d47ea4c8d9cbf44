#!/bin/bash
# avahi-daemon restarts on both sides mid-run: discovery and handoff resume
# by themselves.
. "$(dirname "$0")/lib.sh"

lab_add_host elaine
lab_add_host kramer
lab_wait_avahi elaine kramer
node_start elaine --account elaine@example.org
node_start kramer
node_ctl elaine send jerry@example.org "before the restart" >/dev/null
wait_for "first handoff" 30 json_true elaine "j[0]['carriers'] == 1" outbox

lab_avahi_restart kramer
lab_avahi_restart elaine
wait_for "kramer reappears to elaine" 30 json_true elaine \
    "any(p['instance'] == 'kramer@kramer' and p['present'] for p in j)" peers
node_ctl elaine send jerry@example.org "after the restart" >/dev/null
wait_for "second handoff" 30 json_true elaine "all(m['carriers'] == 1 for m in j)" outbox
expect kramer "len(j) == 2" carrying
# Our announcement came back too: kramer sees elaine again.
wait_for "elaine reappears to kramer" 30 json_true kramer \
    "any(p['instance'] == 'elaine@elaine' and p['present'] for p in j)" peers

# Queued while our own avahi-daemon is away: once it is back, kramer shows up
# before our announcement is (re)established, and the dial must still happen.
wait_for "the stream to kramer closes" 30 json_true elaine \
    "not any(p['connected'] for p in j)" peers
lab_avahi_stop elaine
wait_for "kramer gone for elaine" 30 json_true elaine "not any(p['present'] for p in j)" peers
node_ctl elaine send jerry@example.org "while our avahi-daemon is away" >/dev/null
lab_avahi_start elaine
wait_for "third handoff" 30 json_true elaine "all(m['carriers'] == 1 for m in j)" outbox
expect kramer "len(j) == 3" carrying
echo "ok"
