#!/bin/bash
# Benchmark (prints figures; fails only if a command fails): what a send
# costs while a carrier that holds our whole queue is in reach, at 1,000 and
# at 100,000 queued messages. Each send makes the daemon look for work for
# that carrier and hand it the new message; printed are the median time of
# `pigeonctl send` and the CPU time Elaine's pigeond spent per send, with the
# ratios 100k / 1k.
. "$(dirname "$0")/../link/lib.sh"
SMALL=${BENCH_SMALL:-1000}
LARGE=${BENCH_LARGE:-100000}
SENDS=5

lab_add_host elaine
lab_add_host kramer
lab_wait_avahi elaine kramer
node_start elaine --account elaine@example.org # creates the store
node_kill elaine

# fill COUNT: Elaine's queue topped up to COUNT messages, each already handed
# to Kramer, straight in the store while her pigeond is stopped.
fill() {
    python3 - "$LAB_DIR/node-elaine/data/pigeon/pigeon.db" "$1" <<'PY'
import sqlite3, sys, time, uuid
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
want, now = int(sys.argv[2]), int(time.time() * 1000)
db.execute("BEGIN IMMEDIATE")
have = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
for i in range(have, want):
    row = db.execute("INSERT INTO outbox (origin_id, recipient, body, created, expires) "
                     "VALUES (?, 'jerry@example.org', ?, ?, ?)",
                     (str(uuid.uuid4()), f"message {i:06d} " + "x" * 100, now,
                      now + 7 * 24 * 3600 * 1000)).lastrowid
    db.execute("INSERT INTO handoffs (outbox_id, carrier, handed) VALUES (?, 'kramer@kramer', ?)",
               (row, now))
db.execute("COMMIT")
PY
}

# measure LABEL: "LABEL send_ms cpu_ms_per_send" into figures.
measure() {
    log="$LAB_DIR/node-elaine/pigeond.log"
    seen=$(cat "$log" 2>/dev/null | wc -l)
    node_start elaine --account elaine@example.org
    # As a send would have, pigeond seals what the fill queued before it starts.
    wait_for "elaine's queue is sealed" 300 eval \
        "tail -n +$((seen + 1)) '$log' | grep -q 'sealed [0-9]* queued message(s)'"
    node_start kramer
    wait_for "elaine sees kramer" 30 json_true elaine \
        "any(p['instance'] == 'kramer@kramer' and p['present'] for p in j)" peers
    pid=$(node_pid elaine)
    python3 - "$1" "$pid" "$SENDS" "$PIGEONCTL" "$LAB_DIR/node-elaine/run/pigeon" <<'PY' >>"$LAB_DIR/figures"
import os, statistics, subprocess, sys, time
label, pid, sends, ctl, run = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
tick = os.sysconf("SC_CLK_TCK")
cpu = lambda: sum(int(x) for x in open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[11:13])
time.sleep(2) # the contact at start is over
before, times = cpu(), []
for i in range(sends):
    start = time.perf_counter()
    subprocess.run([ctl, "--runtime-dir", run, "send", "jerry@example.org", f"one more {i}"],
                   check=True, capture_output=True)
    times.append((time.perf_counter() - start) * 1000)
    time.sleep(1) # the handoff it starts is over
print(label, f"{statistics.median(times):.1f}", f"{(cpu() - before) * 1000 / tick / sends:.1f}")
PY
    wait_for "the new messages are handed over" 60 json_true elaine \
        "j['counters']['handed_to_carriers'] >= $SENDS" status
    node_kill kramer
    node_kill elaine
}

fill "$SMALL"
measure small
fill "$LARGE"
measure large

python3 - "$LAB_DIR/figures" "$SMALL" "$LARGE" <<'PY'
import sys
rows = {l.split()[0]: [float(x) for x in l.split()[1:]] for l in open(sys.argv[1])}
(s_ms, s_cpu), (l_ms, l_cpu) = rows["small"], rows["large"]
print(f"send beside a carrier holding the queue: at {sys.argv[2]} {s_ms:.1f} ms, "
      f"at {sys.argv[3]} {l_ms:.1f} ms: ratio {l_ms / s_ms:.2f}")
print(f"pigeond CPU per send: at {sys.argv[2]} {s_cpu:.1f} ms, at {sys.argv[3]} {l_cpu:.1f} ms "
      f"(CPU clock ticks of 10 ms)")
PY
