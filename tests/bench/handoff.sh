#!/bin/bash
# Benchmark (prints figures; fails only if the handoff itself fails):
#  - 10,000 queued messages handed from Elaine to Kramer between two lab hosts,
#    in messages per second, next to the raw SQLite durable batched-insert rate
#    measured on the same disk in the same run (same batch size), and their ratio;
#  - the time from the resolve event (Elaine sees Kramer) to the first durable
#    acknowledgement.
. "$(dirname "$0")/../link/lib.sh"
COUNT=${BENCH_MESSAGES:-10000}

lab_add_host elaine
lab_add_host kramer
lab_wait_avahi elaine kramer
node_start elaine --account elaine@example.org
node_kill elaine

# Queue the messages straight into Elaine's store, as thousands of sends
# would, in one transaction. A send seals and signs its message as it queues
# it; these get theirs when pigeond starts again (as messages queued before
# schema 16 do), before any carrier is there.
python3 - "$LAB_DIR/node-elaine/data/pigeon/pigeon.db" "$COUNT" <<'PY'
import sqlite3, sys, time, uuid
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN IMMEDIATE")
now = int(time.time() * 1000)
for i in range(int(sys.argv[2])):
    db.execute("INSERT INTO outbox (origin_id, recipient, body, created, expires) "
               "VALUES (?, ?, ?, ?, ?)",
               (str(uuid.uuid4()), "jerry@example.org", f"benchmark message {i:05d} " + "x" * 100, now,
                now + 7 * 24 * 3600 * 1000))
db.execute("COMMIT")
PY
node_start elaine --account elaine@example.org
wait_for "Elaine's queue is sealed" 120 grep -q "sealed $COUNT queued message(s)" \
    "$LAB_DIR/node-elaine/pigeond.log"

node_start kramer
wait_for "all $COUNT messages handed over" 600 json_true elaine \
    "j['counters']['handed_to_carriers'] >= $COUNT" status

node_json elaine "$LAB_DIR/log.json" peers --log --limit 100000
python3 - "$LAB_DIR/log.json" "$COUNT" "$LAB_DIR/raw.db" <<'PY'
import datetime, json, os, sqlite3, sys, time, uuid
events, count, raw_path = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
t = lambda e: datetime.datetime.fromisoformat(e["at"].replace("Z", "+00:00")).timestamp()
mine = [e for e in events if e["instance"] == "kramer@kramer"]
seen = next(t(e) for e in mine if e["event"] == "seen")
opened = next(t(e) for e in mine if e["event"] == "open")
acks = [t(e) for e in mine if e["event"] == "handoff"]
batches = len(acks)
handoff_rate = count / (acks[-1] - opened)

# Baseline: the same number of rows of the same size, committed durably in
# batches of the size the handoff used, on the same disk.
batch = max(1, count // batches)
db = sqlite3.connect(raw_path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT)")
start = time.monotonic()
for first in range(0, count, batch):
    db.execute("BEGIN")
    for i in range(first, min(count, first + batch)):
        db.execute("INSERT INTO t VALUES (?, ?)", (str(uuid.uuid4()), "x" * 700))
    db.execute("COMMIT")
raw_rate = count / (time.monotonic() - start)

print(f"handoff: {count} messages in {batches} batches of ~{batch}: {handoff_rate:.0f} messages/s")
print(f"raw SQLite durable batched inserts (batch {batch}): {raw_rate:.0f} rows/s")
print(f"ratio handoff/raw: {handoff_rate / raw_rate:.2f}")
print(f"resolve event to first durable acknowledgement: {(acks[0] - seen) * 1000:.0f} ms")
PY
