#!/bin/bash
# Benchmark (prints figures; fails only if delivery itself fails):
#  - time from the carrier's uplink coming up to the message in the
#    recipient's inbox, median of ROUNDS;
#  - relay overhead: recipient-side latency (inbox "received" minus the
#    sender's "created") of a carried message against a direct send, medians
#    of ROUNDS each, in the same run.
. "$(dirname "$0")/../uplink/lib.sh"
ROUNDS=${BENCH_ROUNDS:-10}

for h in elaine kramer jerry; do lab_add_host "$h"; done
lab_wait_avahi
recipient_across_town
account_node elaine --only-pigeons yes
account_node kramer
wait_for "jerry is online" 30 json_true jerry "j['connectivity']['session'] == 'online'" status

now_ms() { date +%s%3N; }
received_ms() { # ID: when jerry's daemon stored it, in ms
    node_ctl jerry show "$1" --json | python3 -c '
import datetime, json, sys
t = json.load(sys.stdin)["item"]["received"]
print(int(datetime.datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp() * 1000))'
}
created_ms() { # HOST ID
    node_ctl "$1" show "$2" --json | python3 -c '
import datetime, json, sys
t = json.load(sys.stdin)["item"]["created"]
print(int(datetime.datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp() * 1000))'
}
has_it() { [ "$(inbox_count jerry "$1")" -eq 1 ]; }

uplink_up=() carried=() direct=()
for round in $(seq "$ROUNDS"); do
    # Carrier with no uplink takes the message, then gets one.
    id=$(node_ctl elaine send jerry@example.org "round $round, waiting for an uplink")
    wait_for "handoff $round" 30 json_true elaine "all(m['carriers'] >= 1 for m in j)" outbox
    t0=$(now_ms)
    lab_uplink kramer up
    wait_for "delivery $round" 60 has_it "$id"
    uplink_up+=($(( $(received_ms "$id") - t0 )))

    # Carrier already online: the whole relay, handoff plus upload.
    id=$(node_ctl elaine send jerry@example.org "round $round, carried")
    wait_for "carried delivery $round" 60 has_it "$id"
    carried+=($(( $(received_ms "$id") - $(created_ms elaine "$id") )))

    # The same, sent directly by an online sender.
    id=$(node_ctl kramer send jerry@example.org "round $round, direct")
    wait_for "direct delivery $round" 60 has_it "$id"
    direct+=($(( $(received_ms "$id") - $(created_ms kramer "$id") )))

    lab_uplink kramer down
    wait_for "kramer offline $round" 30 json_true kramer "j['connectivity']['state'] == 'offline'" status
done

python3 - "${uplink_up[*]}" "${carried[*]}" "${direct[*]}" <<'PY'
import statistics, sys
up, carried, direct = ([int(x) for x in a.split()] for a in sys.argv[1:4])
print(f"carrier uplink up -> recipient inbox: median {statistics.median(up):.0f} ms (runs: {up})")
print(f"carried message, created -> recipient inbox: median {statistics.median(carried):.0f} ms (runs: {carried})")
print(f"direct send, created -> recipient inbox: median {statistics.median(direct):.0f} ms (runs: {direct})")
print(f"carried vs direct, recipient side: {statistics.median(carried) / max(1, statistics.median(direct)):.2f}x the direct latency")
PY
