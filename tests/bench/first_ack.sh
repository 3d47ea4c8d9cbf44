#!/bin/bash
# Benchmark (prints figures; fails only if a handoff fails): how soon a carrier
# that appears takes a queued message. 2 x ROUNDS times, Kramer's pigeond
# starts next to Elaine, who has one message queued, and stops again. Odd
# rounds are first meetings: the first truly, the others after Elaine forgot
# Kramer's pin (and with it his last addresses, which she would dial at once)
# and her avahi-daemon his records. In even rounds Kramer comes back. Medians of:
#  - browse event (the first announcement of Kramer that avahi-daemon reports
#    to a client on Elaine's host) -> first durable acknowledgement, for the
#    first meetings and for the rounds where Kramer comes back;
#  - the daemon's cue (in its handshake log: "seen", Kramer resolved, or
#    "back", Kramer announced again) -> first durable acknowledgement.
# The browse event is stamped by an avahi-browse beside Elaine's daemon: the
# same moment the daemon's own browser hears of Kramer.
. "$(dirname "$0")/../link/lib.sh"
ROUNDS=${BENCH_ROUNDS:-10}

lab_add_host elaine
lab_add_host kramer
lab_wait_avahi elaine kramer
node_start elaine --account elaine@example.org

lab_spawn elaine "$LAB_DIR/browse.log" python3 -u -c '
import subprocess, time
with subprocess.Popen(["avahi-browse", "-p", "-k", "_presence._tcp"], stdout=subprocess.PIPE,
                      text=True) as browse:
    for line in browse.stdout:
        print(f"{time.time():.4f};{line.strip()}")
' >/dev/null
# avahi-browse -p writes '@' as \064.
wait_for "avahi-browse on elaine runs" 10 grep -qF 'elaine\064elaine' "$LAB_DIR/browse.log"

present() { json_true elaine "any(p['instance'] == 'kramer@kramer' and p['present'] for p in j)" peers; }
for round in $(seq $((2 * ROUNDS))); do
    if [ $((round % 2)) = 1 ] && [ "$round" -gt 1 ]; then
        node_ctl elaine peers forget-pin kramer@kramer >/dev/null
        sleep 1.5 # records live one second after a goodbye (RFC 6762 section 10.1)
    fi
    date +%s.%N >>"$LAB_DIR/rounds"
    node_ctl elaine send jerry@example.org "round $round" >/dev/null
    node_start kramer
    wait_for "handoff $round" 30 json_true elaine "all(m['carriers'] >= 1 for m in j)" outbox
    node_kill kramer
    wait_for "elaine sees kramer go $round" 30 eval '! present'
done

node_json elaine "$LAB_DIR/log.json" peers --log --limit 100000
python3 - "$LAB_DIR/log.json" "$LAB_DIR/browse.log" "$LAB_DIR/rounds" <<'PY'
import datetime, json, statistics, sys
events = json.load(open(sys.argv[1]))
t = lambda e: datetime.datetime.fromisoformat(e["at"].replace("Z", "+00:00")).timestamp()
mine = sorted((t(e), e["event"]) for e in events if e["instance"] == "kramer@kramer")
browsed = [float(l.split(";")[0]) for l in open(sys.argv[2])
           if l.split(";")[1:2] == ["+"] and ";kramer\\064kramer;" in l]
starts = [float(l) for l in open(sys.argv[3])] + [float("inf")]
from_browse, from_cue = [], []
for begin, end in zip(starts, starts[1:]):
    first = lambda times: min(x for x in times if begin <= x < end)
    browse = first(browsed)
    cue = first(at for at, what in mine if what in ("seen", "back"))
    ack = first(at for at, what in mine if what == "handoff")
    from_browse.append(round((ack - browse) * 1000, 1))
    from_cue.append(round((ack - cue) * 1000, 1))
first, back = from_browse[0::2], from_browse[1::2] or from_browse
print(f"browse event -> first durable ack, Kramer back: median {statistics.median(back):.1f} ms "
      f"(runs: {back})")
print(f"browse event -> first durable ack, first meeting: median {statistics.median(first):.1f} ms "
      f"(runs: {first}; the first one truly, the others after Elaine forgot him)")
print(f"cue (seen or back) -> first durable ack: median {statistics.median(from_cue):.1f} ms "
      f"(runs: {from_cue})")
PY
