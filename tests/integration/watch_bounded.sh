#!/bin/sh
# A watcher that never reads does not grow the daemon without bound: it is
# let go with a 'too-slow' notice once it falls behind, what it was sent
# comes whole and in order, and the daemon answers throughout.
. "$(dirname "$0")/lib.sh"

# Not at debug level: each send would log its 2 KiB JID.
"$PIGEOND" --log-level info --link-local no 2>>"$WORK/pigeond.log" &
DAEMON_PID=$!
i=0
until ctl status >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 200 ] || fail "pigeond did not answer within 20 s"
    sleep 0.1
done

python3 - "$XDG_RUNTIME_DIR/pigeon/control" "$DAEMON_PID" "$WORK/pigeond.log" <<'PY' ||
import json, os, socket, sys, threading, time

path, pid, log = sys.argv[1], sys.argv[2], sys.argv[3]
def rss():
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

# The stuck watcher: subscribes, reads its reply, then nothing.
watcher = socket.socket(socket.AF_UNIX)
watcher.connect(path)
watcher.sendall(b'{"cmd": "watch"}\n')
reply = b""
while not reply.endswith(b"\n"):
    reply += watcher.recv(1)
assert json.loads(reply)["ok"], reply

# Each send publishes a 'queued' event of about 2 KiB (a long JID): 10,000
# of them would be 20 MiB held for the watcher if nothing bounded it.
before = rss()
sender = socket.socket(socket.AF_UNIX)
sender.connect(path)
f = sender.makefile("rwb")
to = "j" * 1000 + "@" + ".".join(["e" * 60] * 16)
N = 10000
def write():
    for i in range(N):
        f.write((json.dumps({"cmd": "send", "to": to, "body": "m%d" % i}) + "\n").encode())
    f.flush()
threading.Thread(target=write, daemon=True).start()
ids = []
def read_replies():
    for i in range(N):
        r = json.loads(f.readline())
        assert r["ok"], r
        ids.append(r["result"]["id"])
replies = threading.Thread(target=read_replies)
replies.start()

# Once the daemon says it let the watcher go, the watcher reads (it has a
# few seconds for that): events in order, then the notice, then the end.
deadline = time.time() + 60
while "a watcher fell too far behind" not in open(log).read():
    assert time.time() < deadline, "the daemon never let the stuck watcher go"
    time.sleep(0.05)
watcher.settimeout(30)
data = b""
while True:
    chunk = watcher.recv(65536)
    if not chunk:
        break
    data += chunk
replies.join()
grown = rss() - before
print("daemon RSS grew by %d KiB" % grown)
assert grown < 10 * 1024, "the daemon grew by %d KiB" % grown
lines = [json.loads(l) for l in data.decode().splitlines()]
assert lines[-1]["ok"] is False and lines[-1]["error"] == "too-slow", lines[-1]
events = lines[:-1]
assert 0 < len(events) < N, len(events)
assert [e["id"] for e in events] == ids[:len(events)], "events missing or out of order"
assert all(e["event"] == "queued" for e in events)
print("the watcher got %d of %d events, then too-slow" % (len(events), N))
PY
    fail "the stuck watcher was not bounded"
ctl status >/dev/null || fail "status does not answer after the stuck watcher"
grep -q "a watcher fell too far behind" "$WORK/pigeond.log" || fail "the daemon did not say it let the watcher go"
echo "ok"
