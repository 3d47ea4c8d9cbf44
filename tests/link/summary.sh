#!/bin/bash
# Summary vectors (issue 11): two carriers that already hold the same 10,000
# messages (and know the same 1,000 deliveries) meet again. Each sends the
# other its summary; neither offers the other a single message body or
# tombstone: every copy it would hand on is recorded as held by the other
# (summary_skipped), no batch is offered, the stores do not change, and the
# exchange, from the stream opening to the last copy skipped, takes well
# under a second.
. "$(dirname "$0")/lib.sh"
SHARED=${SUMMARY_MESSAGES:-10000}
GONE=1000

lab_add_host a
lab_add_host b
lab_wait_avahi a b
# Start each once, so that its store exists; then seed both while stopped.
for h in a b; do node_start "$h"; done
for h in a b; do node_kill "$h"; done
for h in a b; do
    python3 "$(dirname "$0")/seed_shared.py" "$LAB_DIR/node-$h/data/pigeon/pigeon.db" \
        --messages "$SHARED" --tombstones "$GONE" || fail "cannot seed $h"
done

# The idle stream of the first meeting must not close mid-exchange.
for h in a b; do node_start "$h" --link-idle 30; done
for h in a b; do
    wait_for "$h skips what the other holds" 30 \
        json_true "$h" "j['counters']['summary_skipped'] == $SHARED + $GONE" status
done

for h in a b; do
    expect "$h" "j['queues']['carrying'] == $SHARED" status
    expect "$h" "j['counters']['carried_for_others'] == 0" status
    node_json "$h" "$LAB_DIR/$h-log.json" peers --log
done
python3 - "$LAB_DIR/a-log.json" "$LAB_DIR/b-log.json" "$SHARED" <<'PY' || fail "bodies moved, or the exchange was slow"
import datetime, json, re, sys

def at(e):
    return datetime.datetime.fromisoformat(e["at"].replace("Z", "+00:00")).timestamp()

shared = int(sys.argv[3])
for name, path in (("a", sys.argv[1]), ("b", sys.argv[2])):
    log = json.load(open(path))
    events = [e["event"] for e in log]
    # No batch of carried copies went either way, and no tombstones.
    assert not {"relaying", "relayed", "tombstones"} & set(events), events
    pattern = r"it holds (\d+) message\(s\), knows (\d+) delivered; (\d+) ms"
    summary = [e for e in log if e["event"] == "summary" and
               (re.fullmatch(pattern, e["detail"]) or [None, None])[1] == str(shared)]
    assert len(summary) == 1, [e for e in log if e["event"] == "summary"]
    m = re.fullmatch(pattern, summary[0]["detail"])
    assert int(m[2]) == 1000, summary
    skipped = [e for e in log if e["event"] == "summary skipped"]
    assert sum(int(e["detail"].split()[0]) for e in skipped) == shared, skipped
    # The stream this exchange went over: the last opened before it.
    opened = max(at(e) for e in log if e["event"] == "open" and at(e) <= at(summary[0]))
    span = (max(at(e) for e in skipped) - opened) * 1000
    print(f"{name}: summary exchange {m[3]} ms; stream open to the last copy skipped {span:.0f} ms")
    assert int(m[3]) < 1000 and span < 1000, (m[3], span)
PY

for h in a b; do node_kill "$h"; done
echo "ok"
