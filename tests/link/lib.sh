# Shared helpers for link-local tests: real pigeond processes on lab hosts
# (tests/lab/lab.sh), each with its own XDG directories, driven by pigeonctl.
# Expects PIGEOND and PIGEONCTL (set by meson).
set -eu
: "${PIGEOND:?PIGEOND must point at the pigeond binary}"
: "${PIGEONCTL:?PIGEONCTL must point at the pigeonctl binary}"
. "$(dirname "$0")/../lab/lab.sh"

# Polls run pigeonctl and python3 many times a second. Where python3 is a
# version manager's shim (pyenv's starts bash and pyenv each time: about
# 0.5 s of CPU), call the interpreter itself; the tests' own python3 calls
# go through this function too.
PIGEON_PYTHON=$(command python3 -c 'import sys; print(sys.executable)')
python3() { "$PIGEON_PYTHON" "$@"; }
# The dump function is defined below; lab_init may fail before that.
trap 'st=$?; ! command -v node_dump_logs_on_failure >/dev/null || node_dump_logs_on_failure $st; lab_teardown' EXIT
lab_init

# node_start HOST [PIGEOND ARGS...]: starts pigeond on HOST as user HOST and
# waits until it answers. Its files live in $LAB_DIR/HOST. NODE_WRAP, if set,
# is a command pigeond runs under (e.g. lab_resolv_wrapper's).
node_start() {
    host=$1; shift
    dir="$LAB_DIR/node-$host"
    mkdir -p "$dir/data" "$dir/run" "$dir/config"
    chmod 700 "$dir/run"
    link_idle="--link-idle 5" # short, so tests see streams close; a test may give its own
    case " $* " in *" --link-idle "*) link_idle= ;; esac
    # shellcheck disable=SC2086 # $link_idle is two words or none, $NODE_WRAP one or none
    lab_spawn "$host" "$dir/pigeond.log" env HOME="$dir" XDG_DATA_HOME="$dir/data" \
        XDG_CONFIG_HOME="$dir/config" XDG_RUNTIME_DIR="$dir/run" \
        ${NODE_WRAP:-} "$PIGEOND" --log-level debug --name "$host" $link_idle "$@" >/dev/null
    wait_for "pigeond on $host answers" 20 node_ctl "$host" status
    # NODE_UNANNOUNCED=1: its avahi-daemon is stopped on purpose.
    case " $* ${NODE_UNANNOUNCED:+--link-local no }" in
    *" --link-local no "*) ;;
    *) wait_for "pigeond on $host is announced" 20 json_true "$host" "j['instance'] != ''" status ;;
    esac
}

# node_pid HOST: the pid of HOST's pigeond, looked up among the processes of
# HOST's namespace, so that another lab running at the same time is never found.
node_pid() {
    for pid in $(ip netns pids "$(_lab_ns "$1")" 2>/dev/null); do
        exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
        [ "$exe" = "$(readlink -f "$PIGEOND")" ] && { echo "$pid"; return 0; }
    done
    return 0
}

# _node_schedstat_ms HOST FIELD: field FIELD of HOST's pigeond's
# /proc/PID/schedstat, in milliseconds; 0 when no pigeond is found (one under
# valgrind).
_node_schedstat_ms() {
    pid=$(node_pid "$1")
    if [ -n "$pid" ]; then awk -v f="$2" '{ printf "%d", $f / 1e6 }' "/proc/$pid/schedstat"; else echo 0; fi
}

# node_cpu_ms HOST: milliseconds HOST's pigeond has run on a CPU so far (the
# scheduler's count).
node_cpu_ms() { _node_schedstat_ms "$1" 1; }

# node_wait_ms HOST: milliseconds HOST's pigeond has been ready to run but
# waited for a CPU so far (the scheduler's run-queue count).
node_wait_ms() { _node_schedstat_ms "$1" 2; }

# node_kill HOST [SIGNAL]: stops HOST's pigeond and waits until it is gone.
node_kill() {
    pid=$(node_pid "$1")
    [ -n "$pid" ] || fail "no pigeond on $1"
    kill -"${2:-TERM}" "$pid"
    i=0
    while kill -0 "$pid" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 100 ] || fail "pigeond on $1 did not stop"
        sleep 0.1
    done
    # A clean shutdown ends with this line; a crash while tearing down does not.
    if [ "${2:-TERM}" = TERM ]; then
        tail -n 1 "$LAB_DIR/node-$1/pigeond.log" | grep -q "pigeond: stopped" ||
            fail "pigeond on $1 did not shut down cleanly: $(tail -n 3 "$LAB_DIR/node-$1/pigeond.log")"
    fi
}

# node_ctl HOST ARGS...: runs pigeonctl against HOST's daemon. The control
# socket is a file, reachable from any network namespace: no `ip netns exec`
# (a mount namespace and a /sys remount each time, most of a poll's cost).
node_ctl() {
    host=$1; shift
    "$PIGEONCTL" --runtime-dir "$LAB_DIR/node-$host/run/pigeon" "$@"
}

# node_json HOST FILE ARGS...: pigeonctl --json output into FILE.
node_json() {
    host=$1; file=$2; shift 2
    node_ctl "$host" "$@" --json >"$file"
}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

node_dump_logs_on_failure() {
    [ "$1" -eq 0 ] && return 0
    [ -n "${LAB_DIR:-}" ] || return 0
    for log in "$LAB_DIR"/node-*/pigeond.log; do
        [ -f "$log" ] || continue
        echo "--- $log" >&2
        tail -n 25 "$log" >&2
    done
}

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND until it succeeds,
# for at most SECONDS of wall-clock time however long each try takes. Tries
# come quickly at first (most waits end within a second), then every 0.4 s:
# a poll costs a pigeonctl and a python3, more CPU than the daemons' work.
wait_for() {
    what=$1; deadline=$((SECONDS + $2)); shift 2
    pause=0.025
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || fail "timed out waiting for: $what"
        sleep $pause
        case $pause in 0.025) pause=0.05 ;; 0.05) pause=0.1 ;; 0.1) pause=0.2 ;; *) pause=0.4 ;; esac
    done
}

# json_true HOST EXPRESSION ARGS...: runs pigeonctl ARGS --json on HOST and
# evaluates the Python EXPRESSION with the reply as `j`.
json_true() {
    host=$1; expr=$2; shift 2
    node_ctl "$host" "$@" --json | python3 -c \
        'import json,sys; j=json.load(sys.stdin); sys.exit(0 if eval(sys.argv[1]) else 1)' "$expr"
}

# expect HOST EXPRESSION ARGS...: like json_true, but fails the test.
expect() {
    json_true "$@" || fail "on $1, '$2' is false for pigeonctl ${*:3}: $(node_ctl "$1" "${@:3}" --json)"
}

# log_details HOST EVENT: the details of HOST's `peers --log` rows of that
# event, one a line.
log_details() {
    node_ctl "$1" peers --log --json | python3 -c \
        'import json,sys; print("\n".join(e["detail"] for e in json.load(sys.stdin) if e["event"] == sys.argv[1]))' "$2"
}

# log_has HOST EVENT REGEX: one of those details matches REGEX as a whole.
log_has() {
    log_details "$1" "$2" | grep -Eqx "$3"
}

# times_seen HOST INSTANCE: how many times HOST's log shows INSTANCE announced.
times_seen() {
    node_ctl "$1" peers --log --json | python3 -c \
        'import json,sys; print(sum(e["event"] == "seen" and e["instance"] == sys.argv[1] for e in json.load(sys.stdin)))' "$2"
}

# small_disk HOST: HOST's data directory becomes a 4 MiB tmpfs (before its
# pigeond starts), unmounted however the test ends (lazily: pigeond may still
# hold its files) before lab_teardown removes the directory. Sets $data.
small_disk() {
    data="$LAB_DIR/node-$1/data"
    mkdir -p "$data"
    trap 'exit 143' TERM
    trap 'exit 130' INT
    trap 'st=$?; node_dump_logs_on_failure $st; ! mountpoint -q "$data" || umount -l "$data"; lab_teardown' EXIT
    mount -t tmpfs -o size=4m,mode=0755 "pigeon-small-$1" "$data" || fail "cannot mount a tmpfs on $data"
}
