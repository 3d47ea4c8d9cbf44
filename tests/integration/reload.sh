#!/bin/sh
# SIGHUP reloads pigeon.conf: a live setting (max-body) takes effect at once,
# one that needs a restart (link-idle) keeps its value and the journal says
# so, a watcher sees what changed, and a broken file changes nothing. The
# daemon runs on throughout.
. "$(dirname "$0")/lib.sh"

conf="$XDG_CONFIG_HOME/pigeon/pigeon.conf"
mkdir -p "$(dirname "$conf")"
printf 'max-body = 10\n' >"$conf"
start_daemon --link-local no
expect_exit 1 ctl send jerry@example.org "eleven char"
grep -q "limit is 10" "$WORK/stderr" || fail "max-body 10 not in force: $(cat "$WORK/stderr")"

# A watcher, subscribed before the reload (its first event proves it).
"$PIGEONCTL" watch --json >"$WORK/watch" 2>&1 &
WATCH_PID=$!
i=0
until grep -q '"event":"queued"' "$WORK/watch"; do
    ctl send jerry@example.org "hi" >/dev/null
    i=$((i + 1)); [ $i -lt 50 ] || fail "the watcher saw nothing"
    sleep 0.1
done

hup_and_wait() { # PATTERN: sends SIGHUP and waits for PATTERN in the log
    kill -HUP "$DAEMON_PID"
    i=0
    until grep -q "$1" "$WORK/pigeond.log"; do
        i=$((i + 1)); [ $i -lt 100 ] || fail "no '$1' in the log after SIGHUP"
        sleep 0.1
    done
    kill -0 "$DAEMON_PID" 2>/dev/null || fail "pigeond stopped on SIGHUP"
}

printf 'max-body = 100\nlink-idle = 30\n' >"$conf"
hup_and_wait "settings reloaded"
ctl send jerry@example.org "eleven char" >/dev/null || fail "max-body 100 not in force after SIGHUP"
grep -q "link-idle changed, but needs a restart" "$WORK/pigeond.log" ||
    fail "no word that link-idle needs a restart"
i=0
until grep -q '"event":"reloaded"' "$WORK/watch"; do
    i=$((i + 1)); [ $i -lt 50 ] || fail "the watcher saw no reloaded event"
    sleep 0.1
done
grep '"event":"reloaded"' "$WORK/watch" >"$WORK/reloaded.json"
json_check "$WORK/reloaded.json" "j['changed'] == ['max-body'] and j['restart'] == ['link-idle']"

# A file with an error keeps the settings in use.
printf 'max-body = many\n' >"$conf"
hup_and_wait "cannot reload the settings"
ctl send jerry@example.org "eleven char" >/dev/null || fail "a broken file changed max-body"
expect_exit 1 ctl send jerry@example.org "$(printf '%0101d' 0)"
grep -q "limit is 100" "$WORK/stderr" || fail "max-body is not 100 any more: $(cat "$WORK/stderr")"
printf 'no-such-setting = 1\n' >"$conf"
kill -HUP "$DAEMON_PID"
sleep 0.5
[ "$(grep -c "cannot reload the settings" "$WORK/pigeond.log")" -eq 2 ] ||
    fail "an unknown key was not refused"
ctl status >/dev/null || fail "pigeond does not answer after a broken reload"
kill "$WATCH_PID" 2>/dev/null
echo "ok"
