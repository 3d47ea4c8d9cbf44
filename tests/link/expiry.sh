#!/bin/bash
# Expiry (issue 11): a message sent with --expires 3s is handed to two
# carriers, then disappears from both (row and payload) at its expiry,
# without polling, and shows `expired` at its origin; a message with the
# default ttl stays where it is.
. "$(dirname "$0")/lib.sh"

lab_add_host elaine
lab_add_host c1
lab_add_host c2
lab_wait_avahi elaine c1 c2
# Streams stay open, so that the short-lived message goes out at once.
node_start elaine --account elaine@example.org --link-idle 60
node_start c1 --link-idle 60
node_start c2 --link-idle 60

lasting=$(node_ctl elaine send jerry@example.org "lasting")
wait_for "the lasting message has two carriers" 60 json_true elaine \
    "[m['carriers'] for m in j if m['id'] == '$lasting'] == [2]" outbox

short=$(node_ctl elaine send --expires 3s jerry@example.org "short-lived")
expect elaine "j['item']['expires'] is not None" show "$short"
wait_for "the short-lived message has two carriers" 3 json_true elaine \
    "[m['carriers'] for m in j if m['id'] == '$short'] == [2]" outbox
for h in c1 c2; do
    expect "$h" "len(j) == 2 and '$short' in [m['id'] for m in j]" carrying
done

wait_for "the short-lived message is expired at its origin" 15 json_true elaine \
    "[m['state'] for m in j if m['id'] == '$short'] == ['expired']" outbox
for h in c1 c2; do
    wait_for "$h dropped the short-lived message" 15 json_true "$h" \
        "[m['id'] for m in j] == ['$lasting']" carrying
    # Gone from the store, not only from the listing.
    if node_ctl "$h" show "$short" >/dev/null 2>&1; then
        fail "$h still holds $short"
    fi
    expect "$h" "j['counters']['expired_carried'] == 1" status
done
expect elaine "j['counters']['expired'] == 1 and j['queues']['outbox'] == 1" status
expect elaine "[m['state'] for m in j if m['id'] == '$lasting'] == ['queued']" outbox
# It is offered to nobody any more: a new carrier gets only the lasting one.
lab_add_host c3
lab_wait_avahi c3
node_start c3 --link-idle 60
wait_for "c3 carries the lasting message" 60 json_true c3 "len(j) == 1" carrying
sleep 1 # a second chance for anything else to arrive
expect c3 "[m['id'] for m in j] == ['$lasting']" carrying
expect elaine "[m['carriers'] for m in j if m['id'] == '$short'] == [2]" outbox

# A bad duration is refused, and nothing is queued.
if node_ctl elaine send --expires soon jerry@example.org "never" 2>/dev/null; then
    fail "send --expires soon was accepted"
fi
expect elaine "len(j) == 2" outbox
echo "ok"
