#!/bin/bash
# Mallory, on the same segment, lies about who she is and sends XML that XMPP
# forbids. Each stream is closed with the right stream error; the daemon
# neither crashes nor stalls, and Elaine's handoff to Kramer still happens
# while Mallory keeps idle connections open.
. "$(dirname "$0")/lib.sh"

lab_add_host elaine
lab_add_host kramer
lab_add_host mallory
lab_wait_avahi elaine kramer mallory
node_start elaine --account elaine@example.org
target=$(lab_ip elaine)

cat >"$LAB_DIR/mallory.py" <<'PY'
import socket, sys, time
host, port = sys.argv[1], 5298
HEADER = ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
          "xmlns:stream='http://etherx.jabber.org/streams' version='1.0' {attrs}>")

def exchange(payload, expect):
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(payload.encode())
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        sys.exit("no close after: " + payload[:60])
    text = data.decode(errors="replace")
    if expect not in text:
        sys.exit(f"expected {expect} for {payload[:60]!r}, got {text!r}")
    print("ok:", expect)

exchange(HEADER.format(attrs="from='kramer@kramer' to='elaine@elaine'"), "invalid-from")
exchange(HEADER.format(attrs="to='elaine@elaine'"), "invalid-from")
exchange(HEADER.format(attrs="from='mallory@mallory' to='somebody@else'"), "host-unknown")
laughs = ("<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
          + "".join(f"<!ENTITY lol{i} '" + f"&lol{i-1};" * 10 + "'>" for i in range(1, 10))
          + "]><stream:stream xmlns:stream='http://etherx.jabber.org/streams'>&lol9;")
exchange(laughs.replace("&lol0;", "&lol;"), "restricted-xml")
exchange("<stream:stream xmlns:stream='http://etherx.jabber.org/streams'><!-- hi -->", "restricted-xml")
exchange("\x00\x01garbage<<<", "")
PY
lab_exec mallory python3 "$LAB_DIR/mallory.py" "$target" || fail "hostile streams were not handled"

# Idle connections from Mallory do not hold anything up.
cat >"$LAB_DIR/idle.py" <<'PY'
import socket, sys, time
conns = [socket.create_connection((sys.argv[1], 5298)) for _ in range(20)]
time.sleep(60)
PY
lab_spawn mallory "$LAB_DIR/idle.log" python3 "$LAB_DIR/idle.py" "$target" >/dev/null
node_start kramer
node_ctl elaine send jerry@example.org "despite mallory" >/dev/null
wait_for "handoff despite mallory" 30 json_true elaine "j[0]['carriers'] == 1" outbox
expect elaine "any(e['event'] == 'refused' for e in j)" peers --log
node_ctl elaine status >/dev/null || fail "elaine stopped answering"
echo "ok"
