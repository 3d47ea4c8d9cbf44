#!/bin/bash
# Summary vectors with a pigeon of before them (doc/carry-protocol.md,
# "Summary vectors"): a scripted older carrier answers our carrier's summary
# with service-unavailable, and gets the copies our carrier hands on at once;
# one that does not answer at all gets them after the 5 s deadline.
. "$(dirname "$0")/lib.sh"
COPIES=5

lab_add_host kramer
lab_add_host old
lab_wait_avahi kramer old
node_start kramer
node_kill kramer
python3 "$(dirname "$0")/seed_shared.py" "$LAB_DIR/node-kramer/data/pigeon/pigeon.db" \
    --messages $COPIES || fail "cannot seed kramer"
node_start kramer --link-idle 30 # longer than the deadline: a silent peer is not idled out first

# meet MODE NAME PORT: the older pigeon NAME, answering MODE, meets kramer;
# prints the seconds from our summary to the first items handed on.
meet() {
    out=$LAB_DIR/$2.json
    lab_spawn old "$out" python3 "$(dirname "$0")/old_peer.py" "$3" "$2" "$1" $COPIES >/dev/null
    sleep 0.5 # listening before it is announced
    lab_spawn old "$LAB_DIR/publish-$2.log" avahi-publish -s "$2" _presence._tcp "$3" \
        txtvers=1 "port.p2pj=$3" status=avail node=urn:xmpp:pigeon:0 hash=sha-1 ver=old >/dev/null
    wait_for "$2 gets the copies" 30 grep -q '"items"' "$out"
    python3 - "$out" $COPIES <<'PY'
import json, sys
j = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
assert j["items"] == int(sys.argv[2]) and j["summary_at"] is not None, j
print(f"{j['carry_at'] - j['summary_at']:.2f}")
PY
}

wait_s=$(meet error old@old 5562) || fail "the older pigeon did not get its copies"
echo "after an error: copies handed on $wait_s s after our summary"
python3 -c "import sys; sys.exit(0 if float('$wait_s') < 2 else 1)" ||
    fail "the carrier waited $wait_s s although the older pigeon said it knows no summaries"
expect kramer "any(e['event'] == 'summary' and 'service-unavailable' in e['detail'] for e in j)" peers --log

wait_s=$(meet silent quiet@old 5563) || fail "the silent pigeon did not get its copies"
echo "without an answer: copies handed on $wait_s s after our summary"
python3 -c "import sys; sys.exit(0 if 4.5 <= float('$wait_s') < 8 else 1)" ||
    fail "the carrier handed on $wait_s s after its summary, not after the 5 s deadline"
expect kramer "any(e['event'] == 'summary' and 'none within 5 s' in e['detail'] for e in j)" peers --log

node_kill kramer
echo "ok"
