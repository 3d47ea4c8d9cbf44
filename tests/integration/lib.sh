# Shared helpers for integration tests: a private XDG environment per test,
# a real pigeond started and stopped in it, and assertions that name what failed.
# Expects PIGEOND and PIGEONCTL (set by meson).
set -eu
: "${PIGEOND:?PIGEOND must point at the pigeond binary}"
: "${PIGEONCTL:?PIGEONCTL must point at the pigeonctl binary}"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pigeon-test.XXXXXX")
DAEMON_PID=
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config"
export XDG_RUNTIME_DIR="$WORK/run"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset JOURNAL_STREAM NOTIFY_SOCKET

cleanup() {
    [ -n "$DAEMON_PID" ] && kill -9 "$DAEMON_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    if [ -f "$WORK/pigeond.log" ]; then
        echo "--- pigeond log" >&2
        tail -n 40 "$WORK/pigeond.log" >&2
    fi
    exit 1
}

ctl() { "$PIGEONCTL" "$@"; }

start_daemon() {
    # --port 0: tests run side by side, each daemon takes a free port.
    "$PIGEOND" --log-level debug --port 0 "$@" 2>>"$WORK/pigeond.log" &
    DAEMON_PID=$!
    i=0
    while ! ctl status >/dev/null 2>&1; do
        kill -0 "$DAEMON_PID" 2>/dev/null || fail "pigeond exited during start-up"
        i=$((i + 1))
        [ $i -lt 200 ] || fail "pigeond did not answer within 20 s"
        sleep 0.1
    done
}

# expect_exit CODE COMMAND...: runs COMMAND, checks its exit status, keeps its
# stderr in $WORK/stderr.
expect_exit() {
    want=$1; shift
    set +e
    "$@" >"$WORK/stdout" 2>"$WORK/stderr"
    got=$?
    set -e
    [ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want (stderr: $(cat "$WORK/stderr"))"
}

# json_check FILE PYTHON-EXPRESSION: the expression, with the parsed file as
# `j`, must be true.
json_check() {
    python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
        "$1" "$2" || fail "$1 does not satisfy: $2 (it is: $(cat "$1"))"
}
