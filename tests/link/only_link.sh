#!/bin/bash
# Only the link: link-local streams are taken on the interfaces we talk on
# and from link-local or on-link sources. Elaine listens on mesh0 only
# (link-interfaces); Kramer on every interface, refusing at accept what
# comes through loopback. The handoff between the two still happens. (An
# off-link source would need an address outside 169.254.0.0/16 and
# fe80::/64, which lab traffic never uses: test_admission covers that rule.)
. "$(dirname "$0")/lib.sh"

lab_add_host elaine
lab_add_host kramer
lab_add_host mallory
lab_wait_avahi elaine kramer mallory
node_start elaine --account elaine@example.org --link-interfaces mesh0
node_start kramer
grep -q "listening on every interface instead" "$LAB_DIR/node-elaine/pigeond.log" &&
    fail "elaine did not bind to mesh0"

cat >"$LAB_DIR/probe.py" <<'PY'
# probe.py HOST [SOURCE]: opens a stream; prints "answered" (any reply), "refused" (reset
# or closed before a byte) or "unreachable" (nothing listens there).
import socket, sys
host = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(5)
if len(sys.argv) > 2:
    s.bind((sys.argv[2], 0))
try:
    s.connect((host, 5298))
except ConnectionRefusedError:
    print("unreachable"); sys.exit(0)
except ConnectionResetError:
    print("refused"); sys.exit(0)
data = b""
try:
    s.sendall(b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
              b"xmlns:stream='http://etherx.jabber.org/streams' version='1.0' "
              b"from='mallory@mallory' to='kramer@kramer'>")
    while b"</stream:stream>" not in data:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
except (ConnectionResetError, BrokenPipeError):
    pass
print("answered" if data else "refused")
PY
probe() { lab_exec "$1" python3 "$LAB_DIR/probe.py" "${@:2}"; }

# From the link, Kramer answers (and then refuses the lie about who it is).
[ "$(probe mallory "$(lab_ip kramer)")" = answered ] || fail "kramer did not answer on the link"
# Through loopback: refused by kramer (every interface but loopback) ...
[ "$(probe kramer 127.0.0.1)" = refused ] || fail "kramer took a stream through loopback"
# ... and nothing listens there for elaine, bound to mesh0.
[ "$(probe elaine 127.0.0.1)" = unreachable ] || fail "elaine listens on loopback"

node_ctl elaine send jerry@example.org "only the link" >/dev/null
wait_for "handoff on the link" 30 json_true elaine "j[0]['carriers'] == 1" outbox
echo "ok"
