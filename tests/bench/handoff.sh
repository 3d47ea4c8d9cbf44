#!/bin/bash
# Benchmark (prints figures; fails only if the handoff itself fails):
#  - 10,000 queued messages handed from Elaine to Kramer between two lab hosts,
#    in messages per second, next to the raw SQLite durable batched-insert rate
#    measured on the same disk in the same run (same batch size), and their
#    ratio, with random keys and with time-ordered ones like pigeon's; and the
#    rate of the same rows into pigeon's own carried table alone (its indexes
#    and triggers, no network or parsing): about the most a handoff could reach;
#  - the time from the resolve event (Elaine sees Kramer) to the first durable
#    acknowledgement;
#  - each daemon's CPU a batch, the share of the handoff it was busy, and (with
#    strace installed) its fsyncs a batch.
# BENCH_MESSAGES=100000 runs the 100,000-message handoff (a few minutes more).
. "$(dirname "$0")/../link/lib.sh"
COUNT=${BENCH_MESSAGES:-10000}

lab_add_host elaine
lab_add_host kramer
lab_wait_avahi elaine kramer
node_start elaine --account elaine@example.org
node_kill elaine

# Queue the messages straight into Elaine's store, as thousands of sends
# would; they are sealed and signed when pigeond starts again, before any
# carrier is there.
"$(dirname "$0")/queue_messages.py" "$LAB_DIR/node-elaine/data/pigeon/pigeon.db" "$COUNT" ||
    fail "cannot queue the messages"
# Each daemon's fsyncs are counted under strace, which stops them at those
# calls only (seccomp): a few microseconds each, about 2 a batch. A sync the
# carrier hands to io_uring (store::WalSync) is one io_uring_enter: pigeond
# makes that call for nothing else.
# A NODE_WRAP given (a profiler) is kept instead.
fsyncs_of() {
    if [ -n "${NODE_WRAP:-}" ] || ! command -v strace >/dev/null; then
        echo "${NODE_WRAP:-}"
        return 0
    fi
    echo "strace -f --seccomp-bpf -qq -ttt -e trace=fsync,fdatasync,io_uring_enter -o $LAB_DIR/fsyncs.$1"
}
NODE_WRAP=$(fsyncs_of elaine) node_start elaine --account elaine@example.org
wait_for "Elaine's queue is sealed" 120 grep -q "sealed $COUNT queued message(s)" \
    "$LAB_DIR/node-elaine/pigeond.log"

# Elaine's events are read as they come, from before Kramer starts: polls
# would take CPU from the two daemons while they work, on two cores.
mkfifo "$LAB_DIR/events"
exec 3<>"$LAB_DIR/events"
"$PIGEONCTL" --runtime-dir "$LAB_DIR/node-elaine/run/pigeon" watch --json >&3 2>"$LAB_DIR/watch.err" &
watcher=$!
wait_for "Elaine's events are watched" 10 grep -q watching "$LAB_DIR/watch.err"
# Kramer starts unseen (his avahi-daemon stopped), so that what he used to
# start is not counted as the handoff's.
lab_avahi_stop kramer
# Kramer's quotas take the whole queue (by default one neighbour or origin
# gets a quarter of 100,000 messages, and a tenth of the free disk in all).
NODE_WRAP=$(fsyncs_of kramer) NODE_UNANNOUNCED=1 node_start kramer \
    --carry-quota $((2 * COUNT)) --carry-neighbour-quota $((2 * COUNT)) \
    --carry-origin-quota $((2 * COUNT)) --carry-bytes $((1 << 30)) \
    --carry-neighbour-bytes $((1 << 30)) --carry-origin-bytes $((1 << 30))
elaine_cpu=$(node_cpu_ms elaine)
kramer_cpu=$(node_cpu_ms kramer)
lab_avahi_start kramer
timeout 600 python3 -c '
import json, sys
handed = 0
for line in sys.stdin:
    event = json.loads(line)
    handed += event.get("count", 0) if event.get("event") == "handoff" else 0
    if handed >= int(sys.argv[1]):
        sys.exit(0)
sys.exit(1)' "$COUNT" <&3 || fail "the $COUNT messages were not all handed over: $(node_ctl elaine status)"
kill "$watcher"
exec 3<&-
elaine_cpu="$(node_cpu_ms elaine) - $elaine_cpu"
kramer_cpu="$(node_cpu_ms kramer) - $kramer_cpu"

node_json elaine "$LAB_DIR/log.json" peers --log --limit 100000
# The baseline runs with both daemons stopped and their writes on disk: half
# a second after its last commit the carrier writes its log into its
# database (CheckpointTimer), on the same disk, which would otherwise fall in
# the baseline's run some of the time.
node_kill kramer
node_kill elaine
sync
python3 - "$LAB_DIR/log.json" "$COUNT" "$LAB_DIR/raw.db" "$elaine_cpu" "$kramer_cpu" "$LAB_DIR" \
    "$LAB_DIR/node-kramer/data/pigeon/pigeon.db" <<'PY'
import datetime, json, os, sqlite3, sys, time, uuid
events, count, raw_path = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
cpu = {"elaine": eval(sys.argv[4]) / 1000, "kramer": eval(sys.argv[5]) / 1000}  # "after - before", ms
lab, carrier_db = sys.argv[6], sys.argv[7]
t = lambda e: datetime.datetime.fromisoformat(e["at"].replace("Z", "+00:00")).timestamp()
mine = [e for e in events if e["instance"] == "kramer@kramer"]
seen = next(t(e) for e in mine if e["event"] == "seen")
opened = next(t(e) for e in mine if e["event"] == "open")
acks = [t(e) for e in mine if e["event"] == "handoff"]
batches = len(acks)
handoff_rate = count / (acks[-1] - opened)

# Baseline: the same number of rows of the same size, committed durably in
# batches of the size the handoff used, on the same disk. Its keys are
# random (uuid4), as when the issue set the target (82,000 to 88,000 rows/s
# then, as now with the keys made beforehand); pigeon's
# origin-ids come in time order (version 7), which B-trees insert far more
# cheaply, so a second baseline with keys like those (made beforehand, not
# timed) is the like-for-like one.
batch = max(1, count // batches)
def raw_inserts(path, keys, schema=("CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT)",),
                insert="INSERT INTO t VALUES (?, ?)", row=lambda key: (key, "x" * 700)):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL")
    for sql in schema:
        db.execute(sql)
    start = time.monotonic()
    for first in range(0, count, batch):
        db.execute("BEGIN")
        for i in range(first, min(count, first + batch)):
            db.execute(insert, row(keys(i)))
        db.execute("COMMIT")
    return count / (time.monotonic() - start)
# Both sets of keys are made before the clock starts: making a uuid4 in the
# loop (2.5 us) made the random-key baseline a fifth slower (64,000 against
# 82,000 rows/s in four paired lab runs), which flattered the ratio.
random_keys = [str(uuid.uuid4()) for _ in range(count)]
raw_rate = raw_inserts(raw_path, lambda i: random_keys[i])
now_ms = int(time.time() * 1000)
ordered = [str(uuid.UUID(int=((now_ms + i) << 80) | (0x7 << 76) | (0b10 << 62) | i))
           for i in range(count)]
ordered_rate = raw_inserts(raw_path + ".ordered", lambda i: ordered[i])
# About the ceiling: the same rows into pigeon's own carried table, with its
# indexes and triggers (the carrier's schema), as the store inserts a copy,
# with no network, parsing or checks. (Python binding twelve values a row
# costs it a few percent more than the store pays: ~9% in the lab, measured
# as a table of those columns with no key against the two-column one.)
carrier_schema = [sql for (sql,) in sqlite3.connect(carrier_db).execute(
    "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
    "AND tbl_name IN ('carried', 'carried_load', 'relays')")]
own_rate = raw_inserts(
    raw_path + ".own", lambda i: ordered[i], carrier_schema,
    "INSERT OR IGNORE INTO carried (origin_id, origin, recipient, from_peer, sent, received, "
    "expires, payload, bytes, digest, copies, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    lambda key: (key, "elaine@example.org", "jerry@example.org", "elaine@elaine", now_ms, now_ms,
                 now_ms + 86400000, "x" * 700, 700, key.replace("-", "") * 2, 2, "elaine@example.org"))

print(f"handoff: {count} messages in {batches} batches of ~{batch}: {handoff_rate:.0f} messages/s")
print(f"raw SQLite durable batched inserts (batch {batch}): {raw_rate:.0f} rows/s")
print(f"ratio handoff/raw: {handoff_rate / raw_rate:.2f}")
print(f"raw SQLite, time-ordered keys as pigeon's: {ordered_rate:.0f} rows/s; "
      f"ratio handoff/raw: {handoff_rate / ordered_rate:.2f}")
print(f"the same rows into pigeon's carried table alone: {own_rate:.0f} rows/s, "
      f"{own_rate / ordered_rate:.2f} of the time-ordered raw rate (about the handoff's ceiling); "
      f"ratio handoff/it: {handoff_rate / own_rate:.2f}")
print(f"resolve event to first durable acknowledgement: {(acks[0] - seen) * 1000:.0f} ms")
took = acks[-1] - opened
for host in ("elaine", "kramer"):
    line = (f"{host}: {cpu[host] * 1000 / batches:.1f} ms CPU a batch, "
            f"busy {100 * cpu[host] / took:.0f}% of the handoff")
    trace = os.path.join(lab, "fsyncs." + host)
    if os.path.exists(trace):  # syncs between the stream opening and the last ack
        syncs = sum(1 for row in open(trace) if opened <= float(row.split()[1]) <= acks[-1])
        line += f", {syncs / batches:.2f} fsyncs a batch"
    print(line)
PY
