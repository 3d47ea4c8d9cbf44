#!/bin/bash
# Benchmark (prints figures; fails only if the re-contact itself fails): two
# carriers that hold the same messages meet again, with 10 shared messages,
# then with 10,000. For each: the time from the stream opening to the last
# copy skipped thanks to the other's summary (doc/carry-protocol.md, "Summary
# vectors"), and the bytes that crossed the stream (TLS included, both ways,
# as the kernel counts them); then the ratios of 10,000 to 10.
. "$(dirname "$0")/../link/lib.sh"
SEED=$(dirname "$0")/../link/seed_shared.py

lab_add_host a
lab_add_host b
lab_wait_avahi a b
for h in a b; do node_start "$h"; done
for h in a b; do node_kill "$h"; done

# recontact SHARED: seeds what each lacks of SHARED messages, lets them meet,
# and appends "SHARED MS BYTES" to $LAB_DIR/figures.
recontact() {
    shared=$1
    for h in a b; do
        db=$LAB_DIR/node-$h/data/pigeon/pigeon.db
        have=$(sqlite3 "$db" "SELECT count(*) FROM carried")
        python3 "$SEED" "$db" --messages $((shared - have)) --first "$have" || fail "cannot seed $h"
        # What the last meeting recorded as handed: this one starts afresh.
        sqlite3 "$db" "DELETE FROM relays; UPDATE counters SET value = 0 WHERE name = 'summary_skipped'"
    done
    for h in a b; do node_start "$h" --link-idle 30; done
    wait_for "a skips all $shared" 60 json_true a "j['counters']['summary_skipped'] == $shared" status
    wait_for "b skips all $shared" 60 json_true b "j['counters']['summary_skipped'] == $shared" status
    # Both ends see the same bytes: a's sockets count them once each way.
    bytes=$(lab_exec a ss -tinH state established | grep -o 'bytes_\(sent\|received\):[0-9]*' |
        cut -d: -f2 | paste -sd+ | bc)
    node_json a "$LAB_DIR/log-$shared.json" peers --log
    ms=$(python3 - "$LAB_DIR/log-$shared.json" <<'PY'
import datetime, json, sys
log = json.load(open(sys.argv[1]))
at = lambda e: datetime.datetime.fromisoformat(e["at"].replace("Z", "+00:00")).timestamp()
skipped = max(at(e) for e in log if e["event"] == "summary skipped")
opened = max(at(e) for e in log if e["event"] == "open" and at(e) <= skipped)
print(round((skipped - opened) * 1000))
PY
)
    echo "$shared $ms ${bytes:-0}" >>"$LAB_DIR/figures"
    for h in a b; do node_kill "$h"; done
}

recontact 10
recontact "${BENCH_MESSAGES:-10000}"
python3 - "$LAB_DIR/figures" <<'PY'
import sys
rows = [tuple(int(x) for x in line.split()) for line in open(sys.argv[1])]
for shared, ms, nbytes in rows:
    print(f"recontact: {shared} shared messages: {ms} ms, {nbytes / 1000:.1f} KB on the stream")
(small, small_ms, small_bytes), (big, big_ms, big_bytes) = rows
print(f"recontact: {big} vs {small} shared: time x{big_ms / max(small_ms, 1):.1f}, "
      f"bytes x{big_bytes / max(small_bytes, 1):.1f} (for x{big / small:.0f} the messages)")
PY
