#!/bin/sh
# Bad input gets a one-line error and a non-zero exit, and stores nothing.
. "$(dirname "$0")/lib.sh"

expect_exit 3 ctl status
grep -q "systemctl --user start pigeond" "$WORK/stderr" || fail "no hint how to start pigeond"

start_daemon --max-body 100

expect_exit 1 ctl send "not a jid" hello
grep -q "invalid recipient" "$WORK/stderr" || fail "bad JID message: $(cat "$WORK/stderr")"
expect_exit 1 ctl send example.org hello
expect_exit 1 ctl send "jerry@exa mple.org" hello
expect_exit 1 ctl send jerry@example.org ""
grep -q "empty" "$WORK/stderr" || fail "empty body message: $(cat "$WORK/stderr")"
expect_exit 1 ctl send jerry@example.org "   "
expect_exit 1 ctl send jerry@example.org "$(printf '%0101d' 0)"
grep -q "limit is 100" "$WORK/stderr" || fail "oversized body message: $(cat "$WORK/stderr")"
expect_exit 1 ctl send jerry@example.org "$(printf 'bell\007')"
grep -q "U+0007" "$WORK/stderr" || fail "control character message: $(cat "$WORK/stderr")"
printf '\377\376bad' >"$WORK/latin"
expect_exit 1 sh -c "\"$PIGEONCTL\" send jerry@example.org - <\"$WORK/latin\""
grep -q "not valid UTF-8" "$WORK/stderr" || fail "invalid UTF-8 message: $(cat "$WORK/stderr")"
[ "$(wc -l <"$WORK/stderr")" -eq 1 ] || fail "error is not one line: $(cat "$WORK/stderr")"

expect_exit 1 ctl show 0123456789
grep -q "no message" "$WORK/stderr" || fail "unknown id message: $(cat "$WORK/stderr")"
expect_exit 1 ctl show ab
expect_exit 2 ctl frobnicate
expect_exit 2 ctl send jerry@example.org
expect_exit 2 ctl show
expect_exit 2 ctl outbox extra
expect_exit 2 ctl --no-such-flag status

ctl outbox --json >"$WORK/outbox.json"
json_check "$WORK/outbox.json" 'j == []'
ctl status --json >"$WORK/status.json"
json_check "$WORK/status.json" "j['queues'] == {'outbox': 0, 'carrying': 0, 'inbox': 0}"

# A message with every XML special character goes in and comes out intact.
ctl send jerry@example.org "<b>&amp; \"quotes\" 'single' ünïcødé 🐦" >/dev/null
ctl outbox --json >"$WORK/outbox.json"
json_check "$WORK/outbox.json" "j[0]['body'] == '<b>&amp; \"quotes\" \\'single\\' ünïcødé 🐦'"

# A second daemon on the same data directory is refused, the first keeps working.
expect_exit 1 "$PIGEOND" --runtime-dir "$WORK/run2"
grep -q "already" "$WORK/stderr" || fail "second daemon message: $(cat "$WORK/stderr")"
ctl status >/dev/null || fail "first daemon stopped answering"

# Garbage on the control socket gets an error reply, not a crash.
python3 - "$XDG_RUNTIME_DIR/pigeon/control" <<'PY' || fail "daemon mishandled garbage"
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rwb")
for line in [b"not json\n", b"[1,2]\n", b'{"cmd": 5}\n', b'{"cmd": "send"}\n', b'{"cmd": "nope"}\n']:
    f.write(line); f.flush()
    reply = json.loads(f.readline())
    assert reply["ok"] is False and reply["error"], reply
# An over-long request is answered and the connection stays usable.
f.write(b"x" * (5 << 20) + b'\n{"cmd": "ping"}\n'); f.flush()
reply = json.loads(f.readline())
assert reply["error"] == "bad-request" and "too long" in reply["message"], reply
reply = json.loads(f.readline())
assert reply["ok"] is True and reply["result"]["version"], reply
PY
ctl status >/dev/null || fail "daemon stopped answering after garbage"
echo "ok"
