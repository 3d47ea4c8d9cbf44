#!/bin/bash
# XEP-0198 at the server hop: the carrier marks an upload done only when the
# server acknowledged it. Kramer (carrier, c2s) writes an upload to a frozen
# server (SIGSTOP), then loses his link before the acknowledgement could
# come: the message is not marked uploaded, though the thawed server delivers
# it; back online, Kramer resumes the stream and learns it was taken, and
# Jerry holds one copy. Then the server dies (SIGKILL) with an upload unread
# in its socket: Kramer's resumption fails, a new session sends it again, and
# Jerry still holds one copy.
export PIGEON_TRANSPORT=c2s
. "$(dirname "$0")/lib.sh"

subway_cast
lab_uplink kramer up
wait_for "kramer is online" 30 json_true kramer "j['connectivity']['session'] == 'online'" status
klog=$LAB_DIR/node-kramer/pigeond.log
prosody=$(lab_server_pid)

carried_by_kramer() { # ID
    json_true elaine "any(m['id'] == '$1' and m['carriers'] == 1 for m in j)" outbox
}

echo "== the acknowledgement is lost with the link; the stream is resumed"
kill -STOP "$prosody"
id1=$(node_ctl elaine send jerry@example.org "first")
wait_for "kramer carries the first" 30 carried_by_kramer "$id1"
wait_for "kramer writes its upload" 30 grep -q "c2s: out: <message .*carried-$id1" "$klog"
lab_uplink kramer down
sleep 1
kill -CONT "$prosody"
wait_for "jerry receives the first" 30 inbox_has jerry first
sleep 2
expect kramer "len(j) == 1 and j[0]['id'] == '$id1'" carrying # never acknowledged to him
lab_uplink kramer up
wait_for "kramer marks the first uploaded" 40 json_true kramer "j == []" carrying
grep -q "resumed the stream" "$klog" || fail "kramer did not resume the stream"
sleep 2
[ "$(inbox_count jerry "$id1")" -eq 1 ] || fail "jerry holds $(inbox_count jerry "$id1") copies"

echo "== the server dies with the upload unread; a new session sends it again"
kill -STOP "$prosody"
id2=$(node_ctl elaine send jerry@example.org "second")
wait_for "kramer carries the second" 30 carried_by_kramer "$id2"
wait_for "kramer writes its upload" 30 grep -q "c2s: out: <message .*carried-$id2" "$klog"
sleep 1
expect kramer "len(j) == 1 and j[0]['id'] == '$id2'" carrying
kill -KILL "$prosody"
lab_server_stop
lab_server_start
wait_for "kramer marks the second uploaded" 60 json_true kramer "j == []" carrying
grep -q "cannot resume the stream" "$klog" || fail "kramer's resumption did not fail"
wait_for "jerry receives the second" 60 inbox_has jerry second
sleep 2
[ "$(inbox_count jerry "$id2")" -eq 1 ] || fail "jerry holds $(inbox_count jerry "$id2") copies"
[ "$(inbox_count jerry "$id1")" -eq 1 ] || fail "jerry holds $(inbox_count jerry "$id1") copies"
echo ok
