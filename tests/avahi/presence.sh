#!/bin/sh
# lib/avahi against real avahi-daemons: two lab hosts (own namespace, dbus and
# avahi-daemon each) running RunPresence. Checks discovery with TXT and both
# address families, no self-listing, renaming on a same-host collision,
# surviving an avahi-daemon restart, TXT updates, goodbye on SIGTERM and
# keeping our name when another host squats it.
# Exits 77 where namespaces cannot be made. Needs RUN_PRESENCE (set by meson).
# shellcheck disable=SC3043 # `local`: lab.sh needs it too
set -eu
: "${RUN_PRESENCE:?RUN_PRESENCE must point at the RunPresence binary}"

# shellcheck source=../lab/lab.sh
. "$(dirname "$0")/../lab/lab.sh"
trap lab_teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM # so that a meson timeout still tears the lab down
lab_init
lab_add_host a-host
lab_add_host b-host
lab_wait_avahi

STARTED=$(date +%s)
W=$LAB_DIR/presence
mkdir "$W"

fail() {
    echo "FAIL: $*" >&2
    for f in "$W"/*.out; do
        printf -- '--- %s\n' "$f" >&2
        tail -n 40 "$f" >&2
    done
    exit 1
}

# start NAME HOST USER [KEY=VALUE...]: runs RunPresence on HOST, output in
# $W/NAME.out, commands through the FIFO $W/NAME.ctl, pid in $W/NAME.pid.
start() {
    local name host
    name=$1 host=$2
    shift 2
    mkfifo "$W/$name.ctl"
    : >"$W/$name.out"
    lab_spawn "$host" "$W/$name.out" "$RUN_PRESENCE" --control "$W/$name.ctl" "$@" \
        >"$W/$name.pid"
}

pid() { cat "$W/$1.pid"; }

# send NAME COMMAND: one command line to NAME (bounded: a dead reader would
# block the open for ever).
send() {
    # shellcheck disable=SC2016 # expanded by the inner sh
    timeout 5 sh -c 'printf "%s\n" "$2" >"$1"' sh "$W/$1.ctl" "$2" ||
        fail "cannot send '$2' to $1"
}

mark() { wc -l <"$W/$1.out"; }

# wait_line NAME MARK PATTERN [SECONDS]: waits until a line after line MARK of
# NAME's output matches the basic regex PATTERN (whole line); prints it.
wait_line() {
    local i limit line
    limit=$((${4:-15} * 10))
    i=0
    while :; do
        line=$(tail -n "+$(($2 + 1))" "$W/$1.out" | grep -m1 -x -- "$3" || true)
        if [ -n "$line" ]; then
            printf '%s\n' "$line"
            return 0
        fi
        [ $i -lt $limit ] || fail "$1: no line matching '$3' within ${4:-15} s"
        sleep 0.1
        i=$((i + 1))
    done
}

# resolve NAME INSTANCE: asks NAME to resolve INSTANCE, prints the answer.
resolve() {
    local m
    m=$(mark "$1")
    send "$1" "resolve $2"
    wait_line "$1" "$m" "\(un\)\{0,1\}resolved \"$2\".*" 15
}

# neighbours NAME: prints NAME's current neighbour list line.
neighbours() {
    local m
    m=$(mark "$1")
    send "$1" neighbours
    wait_line "$1" "$m" 'neighbours.*' 5
}

A_IF=$(lab_exec a-host cat "/sys/class/net/$(lab_ifname a-host)/ifindex")
B_IP=$(lab_ip b-host)
B_IP6=$(lab_ip6 b-host)

echo "# discovery"
start a a-host a-user 5298 txtvers=1 status=avail
start b b-host b-user 5299 txtvers=1 status=avail msg=hello
wait_line a 0 'own "a-user@a-host"' >/dev/null
wait_line b 0 'own "b-user@b-host"' >/dev/null
up=$(wait_line a 0 'up "b-user@b-host" .*')
case $up in *" host=b-host.local "*) ;; *) fail "wrong host name: $up" ;; esac
case $up in *" txt=msg=hello;status=avail;txtvers=1 "*) ;; *) fail "wrong TXT: $up" ;; esac
case "$up " in *" ep=$B_IP,5299,$A_IF "*) ;; *) fail "no $B_IP endpoint on interface $A_IF: $up" ;; esac
case "$up " in *" ep=$B_IP6%$A_IF,5299,$A_IF "*) ;; *) fail "no $B_IP6%$A_IF endpoint: $up" ;; esac
wait_line b 0 'up "a-user@a-host" .*' >/dev/null

echo "# no self-listing"
[ "$(neighbours a)" = 'neighbours "b-user@b-host"' ] || fail "a lists: $(neighbours a)"
[ "$(neighbours b)" = 'neighbours "a-user@a-host"' ] || fail "b lists: $(neighbours b)"
! grep -q '^up "a-user' "$W/a.out" || fail "a reported itself up"

echo "# same-host collision"
start b2 b-host b-user 5300 txtvers=1 status=avail
wait_line b2 0 'own "b-user@b-host #2"' >/dev/null
wait_line a 0 'up "b-user@b-host #2" .*' >/dev/null
wait_line b2 0 'up "a-user@a-host" .*' >/dev/null
[ "$(neighbours b2)" = 'neighbours "a-user@a-host"' ] || fail "b2 lists: $(neighbours b2)"
[ "$(neighbours a)" = 'neighbours "b-user@b-host" "b-user@b-host #2"' ] ||
    fail "a lists: $(neighbours a)"
! grep -q '^own "b-user@b-host #2"' "$W/b.out" || fail "the first b was renamed"

echo "# avahi-daemon restart on b-host"
ma=$(mark a) mb=$(mark b) mb2=$(mark b2)
# Stopped until a has seen the goodbyes: a daemon back within mDNS's one
# second of grace would re-announce before a ever dropped b.
lab_avahi_stop b-host
wait_line a "$ma" 'down "b-user@b-host"' >/dev/null
wait_line a "$ma" 'down "b-user@b-host #2"' >/dev/null
wait_line b "$mb" 'down "a-user@a-host"' >/dev/null
lab_avahi_start b-host
# Back by themselves: b re-publishes under its old name, b2 keeps "#2".
wait_line b "$mb" 'up "a-user@a-host" .*' 20 >/dev/null
wait_line b2 "$mb2" 'up "a-user@a-host" .*' 20 >/dev/null
ma2=$(tail -n "+$((ma + 1))" "$W/a.out" | grep -n -m1 -x 'down "b-user@b-host"' | cut -d: -f1)
wait_line a "$((ma + ma2))" 'up "b-user@b-host" .*' 20 >/dev/null
wait_line a "$ma" 'up "b-user@b-host #2" .*' 20 >/dev/null
m=$(mark b)
send b own
wait_line b "$m" 'own-is "b-user@b-host"' >/dev/null
m=$(mark b2)
send b2 own
wait_line b2 "$m" 'own-is "b-user@b-host #2"' >/dev/null

echo "# TXT update"
m=$(mark b)
send b "txt txtvers=1 status=away msg=lunch"
wait_line b "$m" 'txt-updated' >/dev/null
i=0
until resolve a b-user@b-host | grep -q ' txt=msg=lunch;status=away;txtvers=1 '; do
    [ $i -lt 20 ] || fail "a never resolved the new TXT"
    sleep 0.2
    i=$((i + 1))
done
got=$(resolve a b-user@b-host)
for ep in "$B_IP,5299,$A_IF" "$B_IP6%$A_IF,5299,$A_IF"; do
    case "$got " in *" ep=$ep "*) ;; *) fail "resolve lacks endpoint $ep: $got" ;; esac
done
got=$(resolve a nobody@nowhere)
[ "$got" = 'unresolved "nobody@nowhere"' ] || fail "unknown instance: $got"

echo "# names not announced: asked for briefly, at most 16 at once"
# A pigeon may dial before its announcement reaches us, so a name nobody
# announced is asked for too; strangers' names must not use up our
# resolvers. The four beyond the cap are refused at once, and a neighbour's
# resolve is not held up, while the first sixteen are still asked for.
m=$(mark a)
# One write, so that a slow machine cannot spread the asking over 1.5 s.
send a "$(for n in $(seq 20); do echo "resolve ghost-$n@nowhere"; done; echo "resolve b-user@b-host")"
wait_line a "$m" 'resolved "b-user@b-host" .*' 5 >/dev/null
first=$(tail -n "+$((m + 1))" "$W/a.out" | grep -E '^(un)?resolved ' | head -n 5 | cut -d'"' -f2 | tr '\n' ' ')
[ "$first" = "ghost-17@nowhere ghost-18@nowhere ghost-19@nowhere ghost-20@nowhere b-user@b-host " ] ||
    fail "first answers while sixteen unknown names were asked for: $first"
for n in $(seq 16); do
    wait_line a "$m" "unresolved \"ghost-$n@nowhere\"" 5 >/dev/null
done

echo "# goodbye on SIGTERM"
m=$(mark a)
kill -TERM "$(pid b2)"
t0=$(date +%s)
wait_line a "$m" 'down "b-user@b-host #2"' 5 >/dev/null
echo "  down after $(($(date +%s) - t0)) s"
[ "$(neighbours a)" = 'neighbours "b-user@b-host"' ] || fail "a lists: $(neighbours a)"

echo "# a name squatted from another host"
# An impostor on a-host takes the name b3 is about to publish on b-host. b3
# publishes without probing (the host part of the name is b-host's own; see
# lib/avahi/Publisher.hxx), so it keeps the name; the impostor, whose record
# is contested, probes again, finds b3 and renames.
lab_spawn a-host "$W/impostor.out" avahi-publish -s z-user@b-host _presence._tcp 4000 >/dev/null
m=$(mark b)
wait_line b "$m" 'up "z-user@b-host" .*' >/dev/null
start b3 b-host z-user 5301
wait_line b3 0 'own "z-user@b-host"' >/dev/null
wait_line impostor 0 "Name collision, picking new name 'z-user@b-host #2'\." >/dev/null
# The impostor, held back while it had b3's name, is a neighbour after its rename.
wait_line b3 0 'up "z-user@b-host #2" host=a-host\.local .*' >/dev/null
# Beyond b-host, the name resolves to b3. (RunPresence on a-host cannot say:
# it skipped the name while a program on its host held it.)
# Right after the rename a-host may not have it yet (with four labs at once,
# one browse listed it over IPv6 only): probably the squatter's goodbye for the
# pointer, which b3 announces too, flushes it until b3 refreshes it. Asked up
# to six times, a second apart.
resolves_to_b3() {
    lab_exec a-host timeout 10 stdbuf -oL avahi-browse -rtpk _presence._tcp >"$W/browse-a.out" 2>&1 || true
    grep -q "^=;[^;]*;IPv4;z-user\\\\064b-host;_presence._tcp;local;b-host.local;$B_IP;5301;" "$W/browse-a.out"
}
i=0
until resolves_to_b3; do
    [ $i -lt 5 ] || fail "a-host resolves the squatted name elsewhere: $(grep z-user "$W/browse-a.out")"
    sleep 1
    i=$((i + 1))
done
! grep -q '^own "z-user@b-host #' "$W/b3.out" || fail "b3 gave up its name"

echo "# clean exit"
kill -TERM "$(pid a)" "$(pid b)" "$(pid b3)"
for name in a b b2 b3; do
    wait_line "$name" 0 bye 5 >/dev/null
done
for name in a b b2 b3; do
    i=0
    while kill -0 "$(pid $name)" 2>/dev/null; do
        [ $i -lt 50 ] || fail "RunPresence $name did not exit"
        sleep 0.1
        i=$((i + 1))
    done
done
# Under -Db_sanitize the tool reports leaks and undefined behaviour here.
! grep -l -e 'Sanitizer' -e 'runtime error' "$W"/*.out || fail "sanitizer reports (files above)"

echo "ok: presence checks passed in $(($(date +%s) - STARTED)) s"
