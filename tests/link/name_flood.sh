#!/bin/bash
# Mallory identifies properly, then sends tiny stanzas that are each within
# every limit but bring ever-new element, attribute and namespace names
# (issue 12, item 7): libxml2's name dictionary grew without bound. Elaine
# closes the stream early with policy-violation, grows by less than 32 MiB,
# and answers `status` in well under a second all the while.
. "$(dirname "$0")/lib.sh"

lab_add_host elaine
lab_add_host mallory
lab_wait_avahi elaine mallory
node_start elaine
# A real pigeond on mallory announces her, so that her stream is identified
# (without a TLS pin: the flood speaks plain).
node_start mallory --link-tls no
target=$(lab_ip elaine)
instance_of() { node_ctl "$1" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["instance"])'; }
elaine_instance=$(instance_of elaine)
mallory_instance=$(instance_of mallory)
pid=$(node_pid elaine)
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }
before=$(rss_kib)

# How long `status` takes on elaine while the attack runs: the slowest answer.
cat >"$LAB_DIR/probe.sh" <<SH
#!/bin/bash
slowest=0
while [ ! -e "$LAB_DIR/flood.done" ]; do
    start=\$(date +%s%N)
    "$PIGEONCTL" --runtime-dir "$LAB_DIR/node-elaine/run/pigeon" status >/dev/null || echo "status failed" >>"$LAB_DIR/probe.err"
    took=\$(( (\$(date +%s%N) - start) / 1000000 ))
    [ \$took -gt \$slowest ] && slowest=\$took && echo \$slowest >"$LAB_DIR/probe.slowest"
    sleep 0.05
done
SH
chmod +x "$LAB_DIR/probe.sh"
echo 0 >"$LAB_DIR/probe.slowest"
lab_spawn elaine "$LAB_DIR/probe.log" "$LAB_DIR/probe.sh" >/dev/null

cat >"$LAB_DIR/flood.py" <<'PY'
import select, socket, sys, time
host, me, them = sys.argv[1], sys.argv[2], sys.argv[3]
LIMIT = 60 << 20  # one stream of this grew the daemon by 92-96 MiB before

def one_stream(first):
    """Identifies, then floods until closed; returns (bytes sent, closed, error seen)."""
    s = socket.create_connection((host, 5298), timeout=10)
    s.sendall((f"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
               f"xmlns:stream='http://etherx.jabber.org/streams' version='1.0' "
               f"from='{me}' to='{them}'>").encode())
    received = b""
    while b"<stream:stream" not in received and b"stream:error" not in received:
        chunk = s.recv(65536)
        if not chunk:
            break
        received += chunk
    if b"stream:error" in received or b"<stream:stream" not in received:
        sys.exit(f"not identified: {received[:300]!r}")
    sent, n, closed = 0, first, False
    while sent < LIMIT and not closed:
        batch = "".join(f"<n{i} xmlns='urn:n:{i}' a{i}='v'/>" for i in range(n, n + 500)).encode()
        n += 500
        try:
            s.sendall(batch)
            sent += len(batch)
        except OSError:
            break
        while select.select([s], [], [], 0)[0]:
            try:
                chunk = s.recv(65536)
            except OSError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            received += chunk
    s.settimeout(5)
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            received += chunk
    except OSError:
        pass
    s.close()
    return sent, sent < LIMIT, b"policy-violation" in received

# A sustained attack: a new stream as soon as the last one is closed, for 8 s.
end, rounds, total, first = time.monotonic() + 8, 0, 0, 0
while time.monotonic() < end:
    sent, closed, seen = one_stream(first)
    rounds, total, first = rounds + 1, total + sent, first + 1_000_000
    if not closed:
        sys.exit(f"round {rounds}: {sent} bytes of new names and the stream is still open")
print(f"{rounds} streams, {total} bytes of new names, each closed early; "
      f"policy-violation seen on the last: {seen}", flush=True)
PY
lab_exec mallory python3 "$LAB_DIR/flood.py" "$target" "$mallory_instance" "$elaine_instance" \
    >"$LAB_DIR/flood.out" 2>&1 || { cat "$LAB_DIR/flood.out" >&2; fail "the stream was not closed early"; }
touch "$LAB_DIR/flood.done"
cat "$LAB_DIR/flood.out"
after=$(rss_kib)
slowest=$(cat "$LAB_DIR/probe.slowest")
echo "elaine RSS before ${before} KiB, after ${after} KiB; slowest status ${slowest} ms"
grep -q "policy-violation: more than .* distinct names" "$LAB_DIR/node-elaine/pigeond.log" ||
    fail "elaine did not close the stream for its names"
[ $((after - before)) -lt $((32 * 1024)) ] || fail "elaine grew by $((after - before)) KiB"
[ "$slowest" -lt 1000 ] || fail "status took ${slowest} ms during the attack"
[ ! -e "$LAB_DIR/probe.err" ] || fail "status failed during the attack"
node_ctl elaine status >/dev/null || fail "elaine stopped answering"
echo "ok"
