#!/bin/bash
# Delivery tombstones (issue 11): three carriers hold a message; one uploads
# it and gets the recipient's signed receipt; after contact with the others,
# none of them holds it any more, and the server saw exactly one upload.
. "$(dirname "$0")/lib.sh"

carriers="c1 c2 c3"
for h in elaine $carriers jerry; do lab_add_host "$h"; done
lab_wait_avahi
recipient_across_town
account_node elaine
been_online elaine jerry@example.org # her key is published: jerry can check her message
# c2 and c3 were online once and know Jerry's key: it checks his signature.
for h in c2 c3; do
    account_node "$h"
    been_online "$h" jerry@example.org
done
account_node c1

id=$(node_ctl elaine send jerry@example.org "running late")
wait_for "three carriers hold it" 60 json_true elaine "j[0]['carriers'] == 3" outbox
for h in $carriers; do expect "$h" "[m['id'] for m in j] == ['$id']" carrying; done

lab_uplink c1 up
wait_for "jerry has it" 60 inbox_has jerry "running late"
wait_for "c1 holds the recipient's signed receipt" 60 json_true c1 \
    "j['item']['delivered'] is not None" show "$id"
for h in c2 c3; do
    wait_for "$h dropped its copy" 60 json_true "$h" "j == []" carrying
    if node_ctl "$h" show "$id" >/dev/null 2>&1; then fail "$h still holds $id"; fi
    grep -q "tombstones" "$LAB_DIR/node-$h/pigeond.log" || fail "$h logged no tombstones"
done
expect c1 "j == []" carrying
# Now they get signal too: nothing left to upload.
for h in c2 c3; do
    lab_uplink "$h" up
    wait_for "$h is online" 30 json_true "$h" "j['connectivity']['session'] == 'online'" status
done
sleep 2 # an upload would be under way by now
for h in c2 c3; do expect "$h" "j['counters']['uploaded_for_others'] == 0" status; done

# At the server (Prosody's log of what clients sent it): one upload of this
# message from any carrier. Jerry's signed receipt to c1 is r-carried-ID.
received=$(grep -F "Received[c2s]" "$LAB_DIR/server/prosody.log" |
    grep -cE "<message [^>]*id=['\"]carried-$id['\"]" || true)
[ "$received" -eq 1 ] || fail "the server received $received uploads of $id, expected 1"
[ "$(inbox_count jerry "$id")" -eq 1 ] || fail "jerry holds $(inbox_count jerry "$id") copies"

# Elaine, online at last, sees which way it went.
lab_uplink elaine up
wait_for "elaine sees it delivered" 60 json_true elaine "j[0]['state'] == 'delivered'" outbox
expect elaine "j[0]['delivered_via'] == 'c1@example.org' and j[0]['hops'] == 1" outbox
echo "ok"
