#!/bin/bash
# Mallory trickles a byte a second: her stream header (cut off at the
# identification deadline), a stanza once identified (cut off with
# policy-violation after link-stanza-time), or only whitespace (closed at
# link-idle: bytes alone do not keep a stream open). Kramer is still served.
. "$(dirname "$0")/lib.sh"

lab_add_host elaine
lab_add_host kramer
lab_add_host mallory
lab_wait_avahi elaine kramer mallory
node_start elaine --account elaine@example.org --link-identify 3 --link-stanza-time 6 --link-idle 5
# Mallory is a neighbour elaine can find: her stream is identified.
lab_spawn mallory "$LAB_DIR/publish.log" avahi-publish -s "mallory@mallory" _presence._tcp 5298 \
    txtvers=1 port.p2pj=5298 status=avail >/dev/null

cat >"$LAB_DIR/slow.py" <<'PY'
import socket, sys, time
host, case = sys.argv[1], sys.argv[2]
HEADER = ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
          "xmlns:stream='http://etherx.jabber.org/streams' version='1.0' "
          "from='mallory@mallory' to='elaine@elaine'>")
prefix, trickled, expect, low, high = {
    "header": ("", HEADER, None, 2.5, 6),
    "stanza": (HEADER, "<message to='elaine@elaine'><body>" + "x" * 100, "policy-violation", 5.5, 10),
    "whitespace": (HEADER, " ", "</stream:stream>", 4.5, 9),
}[case]
s = socket.create_connection((host, 5298), timeout=5)
start = time.time()
s.sendall(prefix.encode())
s.settimeout(0.1)
data, sent = b"", 0
while time.time() - start < 30:
    try:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
        continue
    except socket.timeout:
        pass
    except ConnectionResetError:
        break
    if time.time() - start >= sent and sent < len(trickled):
        try:
            s.send(trickled[sent].encode())
        except OSError:
            break
        sent += 1
took = time.time() - start
text = data.decode(errors="replace")
print(f"{case}: closed after {took:.1f} s and {sent} bytes: {text[-120:]!r}")
if not low <= took <= high:
    sys.exit(f"{case}: closed after {took:.1f} s, not between {low} and {high}")
if expect is not None and expect not in text:
    sys.exit(f"{case}: no {expect} in {text!r}")
if expect is None and "<stream:stream" in text:
    sys.exit(f"{case}: elaine answered a stream that never opened")
PY
target=$(lab_ip elaine)
wait_for "elaine sees mallory" 20 json_true elaine "any(p['instance'] == 'mallory@mallory' and p['present'] for p in j)" peers
for case in header stanza whitespace; do
    lab_exec mallory python3 "$LAB_DIR/slow.py" "$target" $case || fail "slowloris ($case) was not cut off in time"
done
grep -q "a stanza came too slowly" "$LAB_DIR/node-elaine/pigeond.log" || fail "the log does not say why"

node_start kramer
node_ctl elaine send jerry@example.org "despite mallory" >/dev/null
wait_for "handoff despite mallory" 30 json_true elaine "j[0]['carriers'] == 1" outbox
echo "ok"
