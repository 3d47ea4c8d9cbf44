#!/bin/bash
# Benchmark (prints figures; fails only if the uploads, or the notices to
# the origin that follow them, fail): a carrier that holds a whole train's
# messages gets an uplink. Kramer takes SMALL, then LARGE messages from
# Elaine with no uplink, and uploads each lot when his uplink comes up, while
# Jerry (online across town) takes them in and sends his receipts back. For
# each lot: uploads a second (uplink up to the last upload acknowledged by
# the server), the time until Jerry holds them all and until Kramer has told
# Elaine of each (custody notices wait behind the uploads), how much Kramer's
# peak RSS grew, and the CPU each daemon spent a message (Kramer: upload,
# receipt, notice to the origin). Flat is the target: the same rate and no
# more memory for LARGE than for SMALL.
# BENCH_SMALL (default 300) and BENCH_LARGE (default 3000) set the lots;
# PIGEON_TRANSPORT=c2s uploads over c2s instead of BOSH.
. "$(dirname "$0")/../uplink/lib.sh"
SMALL=${BENCH_SMALL:-300}
LARGE=${BENCH_LARGE:-3000}
QUOTA=$((4 * (SMALL + LARGE)))

for h in elaine kramer jerry; do lab_add_host "$h"; done
lab_wait_avahi elaine kramer
recipient_across_town
# Elaine publishes her key before the subway, so that Jerry verifies what
# carriers bring and answers with receipts.
account_node elaine --only-pigeons yes
been_online elaine
account_node kramer --carry-quota "$QUOTA" --carry-neighbour-quota "$QUOTA" \
    --carry-origin-quota "$QUOTA" --carry-bytes $((1 << 30)) \
    --carry-neighbour-bytes $((1 << 30)) --carry-origin-bytes $((1 << 30))

peak_kib() { awk '/^VmHWM/ { print $2 }' "/proc/$(node_pid kramer)/status"; }
inbox_size() { node_ctl jerry status --json | python3 -c \
    'import json,sys; print(json.load(sys.stdin)["queues"]["inbox"])'; }
# Kramer has told Elaine (through her archive) that each copy was delivered.
origin_told() { python3 - "$LAB_DIR/node-kramer/data/pigeon/pigeon.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
untold = db.execute("SELECT count(*) FROM carried WHERE told IS NOT 'delivered'").fetchone()[0]
sys.exit(0 if untold == 0 else 1)
PY
}

figures=()
for lot in "$SMALL" "$LARGE"; do
    # Elaine's queue, filled while she is stopped; Kramer takes it all.
    node_kill elaine
    "$(dirname "$0")/queue_messages.py" "$LAB_DIR/node-elaine/data/pigeon/pigeon.db" "$lot" \
        "lot of $lot" || fail "cannot queue the messages"
    account_start elaine --only-pigeons yes
    wait_for "kramer carries the lot of $lot" 300 \
        json_true kramer "j['queues']['carrying'] == $lot" status
    before_inbox=$(inbox_size)
    before_peak=$(peak_kib)
    before_cpu="$(node_cpu_ms kramer) $(node_cpu_ms jerry)"
    start=$(date +%s%N)
    lab_uplink kramer up
    wait_for "kramer uploads the lot of $lot" 900 \
        json_true kramer "j['queues']['carrying'] == 0" status
    uploaded=$(date +%s%N)
    wait_for "jerry holds the lot of $lot" 900 \
        json_true jerry "j['queues']['inbox'] == $before_inbox + $lot" status
    received=$(date +%s%N)
    # Custody notices wait behind the uploads; they must not be starved.
    wait_for "kramer tells elaine of the lot of $lot" 300 origin_told
    told=$(date +%s%N)
    read -r kramer_cpu jerry_cpu <<<"$before_cpu"
    figures+=("$lot $((uploaded - start)) $((received - start)) $((told - start)) $before_peak \
$(peak_kib) $(($(node_cpu_ms kramer) - kramer_cpu)) $(($(node_cpu_ms jerry) - jerry_cpu))")
    lab_uplink kramer down
    wait_for "kramer offline" 30 json_true kramer "j['connectivity']['state'] == 'offline'" status
done

python3 - "${figures[@]}" <<'PY'
import sys
rows = [list(map(int, arg.split())) for arg in sys.argv[1:]]
rates = []
for lot, uploaded_ns, received_ns, told_ns, peak_before, peak_after, kramer_ms, jerry_ms in rows:
    rate = lot / (uploaded_ns / 1e9)
    rates.append(rate)
    print(f"upload of {lot} carried messages: {rate:.0f} messages/s to the server "
          f"({uploaded_ns / 1e9:.2f} s), all in the recipient's inbox after "
          f"{received_ns / 1e9:.2f} s, the origin told of each after {told_ns / 1e9:.2f} s; "
          f"carrier's peak RSS {peak_before / 1024:.1f} -> "
          f"{peak_after / 1024:.1f} MiB; CPU a message: carrier {1000 * kramer_ms / lot:.0f} us, "
          f"recipient {1000 * jerry_ms / lot:.0f} us")
print(f"upload rate, {rows[1][0]} against {rows[0][0]}: ratio {rates[1] / rates[0]:.2f}")
PY
