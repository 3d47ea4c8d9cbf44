#!/bin/sh
# Input built to hurt: a control request nested millions deep, and JIDs that
# no library would prepare. Each is refused with a clear message, and the
# daemon neither grows nor stops answering.
. "$(dirname "$0")/lib.sh"

start_daemon --link-local no

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$DAEMON_PID/status"; }
before=$(rss_kib)
python3 - "$XDG_RUNTIME_DIR/pigeon/control" <<'PY' || fail "deep JSON was mishandled"
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rwb")
for line in [b"[" * 3_000_000, b'{"cmd": "status", "x": ' + b"{\"a\": " * 500_000]:
    f.write(line + b"\n"); f.flush()
    reply = json.loads(f.readline())
    assert reply["error"] == "bad-request" and "deeper than 32" in reply["message"], reply
# The connection is still usable afterwards.
f.write(b'{"cmd": "ping"}\n'); f.flush()
assert json.loads(f.readline())["ok"] is True
PY
after=$(rss_kib)
echo "daemon RSS before ${before} KiB, after deep JSON ${after} KiB"
[ $((after - before)) -lt 8192 ] || fail "deep JSON grew the daemon by $((after - before)) KiB"

# Domain labels that start or end with '-' are not host names (RFC 5890).
expect_exit 1 ctl send jerry@-bad-.org hello
grep -q "invalid recipient" "$WORK/stderr" || fail "bad label message: $(cat "$WORK/stderr")"
grep -q "hyphen" "$WORK/stderr" || fail "bad label message does not say why: $(cat "$WORK/stderr")"
# A right-to-left override at the start of the localpart (U+202E).
expect_exit 1 ctl send "$(printf '\342\200\256')evil@example.org" hello
grep -q "invalid recipient" "$WORK/stderr" || fail "bidi message: $(cat "$WORK/stderr")"
expect_exit 1 ctl send "jerry@example.org/$(printf '\342\200\256')x" hello
# Nothing was stored.
ctl outbox --json >"$WORK/outbox.json"
json_check "$WORK/outbox.json" 'j == []'
# What a library prepares is kept in its prepared form.
ctl send "Jerry@EXAMPLE.org" hello >/dev/null
ctl outbox --json >"$WORK/outbox.json"
json_check "$WORK/outbox.json" "j[0]['to'] == 'jerry@example.org'"
ctl status >/dev/null || fail "daemon stopped answering"
echo "ok"
