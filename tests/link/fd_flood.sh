#!/bin/bash
# Mallory opens more link-local connections than Elaine's pigeond has
# descriptors (ulimit -n 128), each trickling a byte every 20 s, and a local
# client holds hundreds of control connections. Elaine's daemon stays cool,
# `pigeonctl status` answers within a second, the log grows by less than
# 100 KB, and her handoff to Kramer still happens.
. "$(dirname "$0")/lib.sh"

lab_add_host elaine
lab_add_host kramer
lab_add_host mallory
lab_wait_avahi elaine kramer mallory
NODE_WRAP="prlimit --nofile=128:128" node_start elaine --account elaine@example.org
pid=$(node_pid elaine)
[ "$(awk '/open files/ { print $4 }' "/proc/$pid/limits")" = 128 ] || fail "the limit did not apply"
log=$LAB_DIR/node-elaine/pigeond.log
size_before=$(stat -c %s "$log")
flood=$(dirname "$0")/flood.py

lab_spawn mallory "$LAB_DIR/flood-link.log" python3 "$flood" "$(lab_ip elaine):5298" 1100 90 >/dev/null
lab_spawn elaine "$LAB_DIR/flood-control.log" python3 "$flood" \
    "$LAB_DIR/node-elaine/run/pigeon/control" 300 90 >/dev/null
sleep 5

# CPU over ten seconds of the flood: a spinning accept loop took 55-90%.
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
t0=$(ticks)
sleep 10
used=$(( $(ticks) - t0 ))
hz=$(getconf CLK_TCK)
echo "pigeond used $used ticks of $((10 * hz)) during the flood"
[ "$used" -lt $((10 * hz / 5)) ] || fail "pigeond used $used of $((10 * hz)) ticks (over 20%) under the flood"

for _ in 1 2 3 4 5; do
    start=$EPOCHREALTIME
    node_ctl elaine status >/dev/null || fail "status failed under the flood"
    took=$(python3 -c "print(int(($EPOCHREALTIME - $start) * 1000))")
    echo "status answered in $took ms"
    [ "$took" -lt 1000 ] || fail "status took $took ms under the flood"
    sleep 1
done

node_start kramer
node_ctl elaine send jerry@example.org "despite the flood" >/dev/null
wait_for "handoff despite the flood" 30 json_true elaine "j[0]['carriers'] == 1" outbox
node_ctl elaine status >/dev/null || fail "elaine stopped answering"

grep -q "refused a connection from $(lab_ip mallory)" "$log" || fail "no refusal of mallory in the log"
grown=$(( $(stat -c %s "$log") - size_before ))
echo "the log grew by $grown bytes"
[ "$grown" -lt 100000 ] || fail "the log grew by $grown bytes under the flood"
echo "ok"
