#!/bin/bash
# Benchmark (prints figures; fails only if a command fails): how the store's
# size weighs on the commands people and scripts run. The same store is
# filled to 1,000 and then to 100,000 rows in each of outbox, carrying and
# inbox; at each size every listing (--json, pigeond's page), send and
# status are timed (median of 5) and the ratio 100k / 1k is printed, with
# the daemon's peak RSS after them; then, a second later (its checkpoint
# after the last commit done), the daemon sits idle (BENCH_IDLE
# seconds, 10 by default) and its RSS and wakeups over that time are printed.
. "$(dirname "$0")/../integration/lib.sh"
SMALL=${BENCH_SMALL:-1000}
LARGE=${BENCH_LARGE:-100000}
IDLE=${BENCH_IDLE:-10} # seconds the daemon sits idle after the commands

stop_daemon() {
    kill "$DAEMON_PID"
    wait "$DAEMON_PID" 2>/dev/null || true
    DAEMON_PID=
}

# fill COUNT: tops the outbox, carrying list and inbox up to COUNT rows each,
# straight in the store while pigeond is stopped, as months of use would.
fill() {
    python3 - "$XDG_DATA_HOME/pigeon/pigeon.db" "$1" <<'PY'
import sqlite3, sys, time, uuid
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
want, now = int(sys.argv[2]), int(time.time() * 1000)
week = 7 * 24 * 3600 * 1000
db.execute("BEGIN IMMEDIATE")
have = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
for i in range(have, want):
    body = f"message {i:06d} " + "x" * 100
    db.execute("INSERT INTO outbox (origin_id, recipient, body, created, state, sent, expires) "
               "VALUES (?, 'jerry@example.org', ?, ?, 'sent', ?, ?)",
               (str(uuid.uuid4()), body, now, now, now + week))
    db.execute("INSERT INTO carried (origin, origin_id, recipient, from_peer, sent, received, "
               "expires, payload) VALUES ('elaine@example.org', ?, 'jerry@example.org', "
               "'kramer@laptop', ?, ?, ?, ?)", (str(uuid.uuid4()), now, now, now + week, "<m/>" * 200))
    db.execute("INSERT INTO inbox (origin_id, sender, body, sent, received, via, authenticity) "
               "VALUES (?, 'elaine@example.org', ?, ?, ?, 'direct', 'server')",
               (str(uuid.uuid4()), body, now, now))
# What AddCarried keeps up to date (schema 12): the copies' loads.
added = max(want - have, 0)
for kind, name in (("peer", "kramer@laptop"), ("origin", "elaine@example.org")):
    db.execute("INSERT INTO carried_load VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
               "messages = messages + excluded.messages, bytes = bytes + excluded.bytes",
               (kind, name, added, added * len("<m/>" * 200)))
db.execute("COMMIT")
PY
}

# measure LABEL: one line per command, "LABEL command median_ms bytes", then
# "LABEL rss peak_kib", "LABEL idle rss_kib context_switches".
measure() {
    start_daemon --link-local no
    python3 - "$1" "$PIGEONCTL" "$DAEMON_PID" "$IDLE" <<'PY' >>"$WORK/figures"
import os, statistics, subprocess, sys, time
label, ctl, pid, idle = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
commands = {"outbox": ["outbox", "--json"], "carrying": ["carrying", "--json"],
            "inbox": ["inbox", "--json"], "send": ["send", "jerry@example.org", "one more"],
            "status": ["status", "--json"]}
for name, args in commands.items():
    times, size = [], 0
    for _ in range(5):
        start = time.perf_counter()
        out = subprocess.run([ctl] + args, check=True, capture_output=True).stdout
        times.append((time.perf_counter() - start) * 1000)
        size = len(out)
    print(label, name, f"{statistics.median(times):.1f}", size)
def status():
    return dict(l.split(":", 1) for l in open(f"/proc/{pid}/status") if ":" in l)
def switches():  # every thread's, as a wakeup is one
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        for line in open(f"/proc/{pid}/task/{task}/status"):
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                total += int(line.split()[1])
    return total
print(label, "rss", status()["VmHWM"].split()[0])
# At rest after them: what it holds, and how often it wakes with nothing to do.
# Rest begins once the write-ahead log went into the database, 500 ms after
# the last commit (CheckpointTimer), a second after the commands.
time.sleep(1)
before = switches()
time.sleep(idle)
print(label, "idle", status()["VmRSS"].split()[0], switches() - before)
PY
    stop_daemon
}

start_daemon --link-local no # creates the store
stop_daemon
fill "$SMALL"
measure small
fill "$LARGE"
measure large

python3 - "$WORK/figures" "$SMALL" "$LARGE" "$IDLE" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
small = {r[1]: r[2:] for r in rows if r[0] == "small"}
large = {r[1]: r[2:] for r in rows if r[0] == "large"}
for name in ["outbox", "carrying", "inbox", "send", "status"]:
    s, l = float(small[name][0]), float(large[name][0])
    print(f"store scale: {name} at {sys.argv[2]} rows {s:.1f} ms ({small[name][1]} bytes), "
          f"at {sys.argv[3]} rows {l:.1f} ms ({large[name][1]} bytes): ratio {l / s:.2f}")
print(f"store scale: daemon peak RSS at {sys.argv[2]} rows {int(small['rss'][0]) // 1024} MiB, "
      f"at {sys.argv[3]} rows {int(large['rss'][0]) // 1024} MiB")
for figures, rows in ((small, sys.argv[2]), (large, sys.argv[3])):
    rss, woke = map(int, figures["idle"])
    print(f"store scale: daemon idle {sys.argv[4]} s after them at {rows} rows: RSS {rss / 1024:.1f} "
          f"MiB, {woke / float(sys.argv[4]):.1f} wakeups/s ({woke} context switches)")
PY
