# tests/lab/lab.sh: the multi-namespace test lab.
#
# Builds real hosts on one machine: one network namespace per host, wired by
# veth pairs into bridges that live in a namespace of their own, each host with
# its own dbus-daemon and avahi-daemon, plus an optional XMPP server (Prosody,
# BOSH) on a second segment that hosts join with lab_uplink (server.sh,
# sourced after this file by the tests that need it). See README.md.
#
# Shell: POSIX sh plus `local` (dash, bash and busybox ash all have it).
# Works under `set -eu`. Source it, then:
#
#     . tests/lab/lab.sh
#     . tests/lab/server.sh     # only for the XMPP server and uplinks
#     trap lab_teardown EXIT
#     lab_init
#     lab_add_host a; lab_add_host b
#     lab_wait_avahi
#
# Needs root. Set-up functions print what went wrong (with the tail of the
# relevant log) and exit the calling shell with status 1; lab_init exits 77
# (skip) when the machine cannot make namespaces at all.
#
# Addresses are link-local only: mesh 169.254.1.N/24, uplink 169.254.100.0/24
# (server .1, host N at .10+N), and the kernel's fe80::/64 on every veth.
# There is no default route anywhere.
#
# Every name the lab creates starts with pigeonlab<PID> (PID of the shell that
# sourced this file), so two labs can run at once, and lab_cleanup_stale can
# find what a killed run left behind.

# shellcheck disable=SC2034 # used by the tests that source this file
LAB_MESH_NET=169.254.1
LAB_UPLINK_NET=169.254.100
LAB_SERVER_IP=169.254.100.1
LAB_BOSH_URL=http://169.254.100.1:5280/http-bind
LAB_XMPP_DOMAIN=example.org
# Sourcing starts with no lab, even when a parent process exported its own.
LAB_PREFIX=
LAB_DIR=

# --- internal helpers -------------------------------------------------------

_lab_say() { printf 'lab: %s\n' "$*" >&2; }

# _lab_die MESSAGE [LOGFILE]: reports a set-up failure and exits the shell.
_lab_die() {
    printf 'lab: error: %s\n' "$1" >&2
    if [ -n "${2:-}" ] && [ -f "$2" ]; then
        printf -- '--- last lines of %s\n' "$2" >&2
        tail -n 30 "$2" >&2
        printf -- '---\n' >&2
    fi
    exit 1
}

_lab_need_init() {
    if [ -z "$LAB_DIR" ] || [ ! -d "$LAB_DIR" ]; then
        _lab_die "lab_init has not run"
    fi
}

_lab_tmp() { printf '%s' "${TMPDIR:-/tmp}"; }

# _lab_starttime PID: the process start time (clock ticks since boot), or
# nothing when there is no such process. Together with the pid it names one
# process for good, even after the pid is reused.
_lab_starttime() {
    # Field 22 of /proc/PID/stat; counted after "(comm) ", which may hold spaces.
    sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20
}

# _lab_alive PID: true while the process exists and is not a zombie.
_lab_alive() {
    local st
    st=$(sed -n 's/^.*) \([A-Za-z]\) .*$/\1/p' "/proc/$1/stat" 2>/dev/null)
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# _lab_wait_gone PID TENTHS: waits up to TENTHS/10 s for PID to exit.
_lab_wait_gone() {
    local i
    i=0
    while _lab_alive "$1"; do
        [ "$i" -lt "$(($2 * 2))" ] || return 1
        sleep 0.05
        i=$((i + 1))
    done
    return 0
}

# _lab_stop_pid PID: TERM, wait up to 3 s, then KILL; reaps it if it is our
# child.
_lab_stop_pid() {
    [ -n "$1" ] || return 0
    if _lab_alive "$1"; then
        kill -TERM "$1" 2>/dev/null || true
        if ! _lab_wait_gone "$1" 30; then
            kill -KILL "$1" 2>/dev/null || true
            _lab_wait_gone "$1" 20 || true
        fi
    fi
    _lab_alive "$1" || wait "$1" 2>/dev/null || true
}

_lab_record_pid() { echo "$1" >>"$LAB_DIR/pids"; }

# _lab_await_daemon PID PIDFILE SECONDS WHAT LOG CHECK...: records a daemon
# just started in the background (lab_teardown ends it; PIDFILE names it) and
# polls CHECK every 0.05 s until it succeeds. If the daemon exits first, or
# SECONDS pass, exits the shell saying so, with the tail of LOG.
_lab_await_daemon() {
    local pid pidfile seconds what log i
    pid=$1; pidfile=$2; seconds=$3; what=$4; log=$5
    shift 5
    _lab_record_pid "$pid"
    echo "$pid" >"$pidfile"
    i=0
    until "$@"; do
        _lab_alive "$pid" || _lab_die "$what exited during start-up" "$log"
        [ $i -lt $((seconds * 20)) ] || _lab_die "$what not ready after $seconds s" "$log"
        sleep 0.05
        i=$((i + 1))
    done
}

# _lab_ns NAME: the namespace of host NAME ("server" included).
_lab_ns() { printf '%s-%s' "$LAB_PREFIX" "$1"; }
_lab_bridge_ns() { printf '%s_bridge' "$LAB_PREFIX"; }

_lab_host_dir() {
    _lab_need_init
    [ -f "$LAB_DIR/$1/index" ] || _lab_die "no host '$1' in this lab"
    printf '%s/%s' "$LAB_DIR" "$1"
}

_lab_index() {
    local d
    d=$(_lab_host_dir "$1") || exit 1
    cat "$d/index"
}

# _lab_sysctls NS: IPv6 on, no duplicate address detection (so fe80:: is usable
# at once), no router solicitations (there is no router).
_lab_sysctls() {
    ip netns exec "$1" sysctl -q -w \
        net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
        net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0 \
        net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 >/dev/null
}

# _lab_procs NS...: pids of every process inside the given namespaces.
_lab_procs() {
    local ns
    for ns in "$@"; do
        ip netns pids "$ns" 2>/dev/null || true
    done
}

# _lab_kill_netns NS...: ends every process inside the namespaces (TERM, then
# KILL after 3 s) and deletes them. Their veths go with them.
_lab_kill_netns() {
    local pids i
    [ $# -gt 0 ] || return 0
    pids=$(_lab_procs "$@")
    if [ -n "$pids" ]; then
        # shellcheck disable=SC2086
        kill -TERM $pids 2>/dev/null || true
        i=0
        while [ -n "$pids" ] && [ $i -lt 60 ]; do
            sleep 0.05
            pids=$(_lab_procs "$@")
            i=$((i + 1))
        done
        if [ -n "$pids" ]; then
            # shellcheck disable=SC2086
            kill -KILL $pids 2>/dev/null || true
            i=0
            while [ -n "$pids" ] && [ $i -lt 40 ]; do
                sleep 0.05
                pids=$(_lab_procs "$@")
                i=$((i + 1))
            done
            [ -z "$pids" ] || _lab_say "processes still alive in lab namespaces: $pids"
        fi
    fi
    for i in "$@"; do
        ip netns del "$i" 2>/dev/null || true
    done
}

# _lab_namespaces_of PREFIX: the namespaces that belong to the lab PREFIX.
_lab_namespaces_of() {
    ip netns list 2>/dev/null | while read -r ns _; do
        case $ns in
            "$1"-*|"$1"_bridge) echo "$ns" ;;
        esac
    done
}

# _lab_remove_namespaces PREFIX: ends the processes in the namespaces of lab
# PREFIX and deletes those namespaces, hosts first, the bridges last.
_lab_remove_namespaces() {
    local nss
    nss=$(_lab_namespaces_of "$1")
    # shellcheck disable=SC2046,SC2086
    _lab_kill_netns $(printf '%s\n' $nss | grep -v '_bridge$' || true)
    # shellcheck disable=SC2046,SC2086
    _lab_kill_netns $(printf '%s\n' $nss | grep '_bridge$' || true)
}

# _lab_remove_prefix PREFIX: everything of the dead lab PREFIX: processes,
# namespaces, temp dirs (pigeon-lab.PID.*).
_lab_remove_prefix() {
    local d
    _lab_remove_namespaces "$1"
    for d in "$(_lab_tmp)"/pigeon-lab."${1#pigeonlab}".*; do
        [ -d "$d" ] || continue
        # A test may have mounted something inside (a small tmpfs for a full
        # disk); a dead lab's mounts must go before its files can.
        grep -F " $d/" /proc/self/mounts | cut -d' ' -f2 | sort -r |
            while read -r m; do umount -l "$m" 2>/dev/null || true; done
        rm -rf "$d" 2>/dev/null || _lab_say "cannot remove $d (left in place)"
    done
    return 0
}

# _lab_owner_alive PID: true when the lab owned by PID may still be in use: the
# process exists and, if its lab dir recorded a start time, it is the same
# process (not a reused pid).
_lab_owner_alive() {
    local now f rec
    [ -d "/proc/$1" ] || return 1
    now=$(_lab_starttime "$1")
    for f in "$(_lab_tmp)"/pigeon-lab."$1".*/owner; do
        [ -f "$f" ] || continue
        rec=$(cut -d' ' -f2 "$f" 2>/dev/null || true)
        [ -n "$rec" ] && [ "$rec" != "$now" ] && return 1
    done
    return 0
}

# --- public functions -------------------------------------------------------

# lab_cleanup_stale: removes namespaces, their processes and temp dirs left by
# labs whose owning process is gone. Prints one line per removed lab (stderr).
lab_cleanup_stale() {
    local seen pfx pid d
    seen=" "
    for pfx in $(ip netns list 2>/dev/null | sed -n 's/^\(pigeonlab[0-9][0-9]*\)[-_].*/\1/p' | sort -u) \
               $(for d in "$(_lab_tmp)"/pigeon-lab.*.*; do
                     [ -d "$d" ] || continue
                     d=${d##*/pigeon-lab.}
                     echo "pigeonlab${d%%.*}"
                 done | sort -u); do
        case $seen in *" $pfx "*) continue ;; esac
        seen="$seen$pfx "
        [ "$pfx" = "$LAB_PREFIX" ] && continue
        pid=${pfx#pigeonlab}
        case $pid in ''|*[!0-9]*) continue ;; esac
        _lab_owner_alive "$pid" && continue
        _lab_say "removing stale lab $pfx"
        _lab_remove_prefix "$pfx"
    done
}

# lab_init: creates the lab: $LAB_DIR (exported), the bridge namespace with
# the "mesh" and "uplink" bridges. Exits 77 when not root or namespaces cannot
# be made; any other failure exits 1.
lab_init() {
    if [ "$(id -u)" != 0 ]; then
        echo "lab: skip: the lab needs root (network namespaces)" >&2
        exit 77
    fi
    if ! command -v ip >/dev/null 2>&1; then
        echo "lab: skip: no 'ip' (iproute2) here" >&2
        exit 77
    fi
    local t
    for t in dbus-daemon dbus-send avahi-daemon unshare sysctl mount; do
        command -v "$t" >/dev/null 2>&1 ||
            _lab_die "'$t' is missing; run scripts/install-deps"
    done
    [ -z "$LAB_DIR" ] || _lab_die "lab_init ran twice in this shell (lab $LAB_DIR)"

    LAB_PREFIX=pigeonlab$$
    export LAB_PREFIX
    # Anything already named after our pid is left over from a dead process
    # that had the same pid.
    _lab_remove_prefix "$LAB_PREFIX"
    lab_cleanup_stale

    LAB_DIR=$(mktemp -d "$(_lab_tmp)/pigeon-lab.$$.XXXXXX") || _lab_die "mktemp failed"
    export LAB_DIR
    echo "$$ $(_lab_starttime $$)" >"$LAB_DIR/owner"
    : >"$LAB_DIR/pids"
    mkdir "$LAB_DIR/.index"

    local br
    br=$(_lab_bridge_ns)
    if ! ip netns add "$br" 2>"$LAB_DIR/netns.err"; then
        echo "lab: skip: cannot create a network namespace: $(cat "$LAB_DIR/netns.err")" >&2
        rm -rf "$LAB_DIR"
        LAB_DIR=
        exit 77
    fi
    rm -f "$LAB_DIR/netns.err"
    # The bridge namespace only switches frames: no IPv6 of its own.
    ip netns exec "$br" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 >/dev/null || _lab_die "sysctl in $br failed"
    for t in mesh uplink; do
        # No STP, no forwarding delay, no multicast snooping: mDNS reaches every port.
        ip -n "$br" link add "$t" type bridge stp_state 0 forward_delay 0 mcast_snooping 0 ||
            _lab_die "cannot create bridge $t"
        ip -n "$br" link set "$t" up || _lab_die "cannot bring bridge $t up"
    done
    ip -n "$br" link set lo up || true
}

# _lab_alloc_index: the lowest free host number (1..200), race-free.
_lab_alloc_index() {
    local n
    n=1
    while [ "$n" -le 200 ]; do
        if mkdir "$LAB_DIR/.index/$n" 2>/dev/null; then
            echo "$n"
            return 0
        fi
        n=$((n + 1))
    done
    _lab_die "more than 200 hosts"
}

_lab_write_dbus_conf() {
    cat >"$1/dbus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- Written by tests/lab/lab.sh: the system bus of one lab host. -->
<busconfig>
  <type>system</type>
  <listen>unix:path=$1/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
EOF
}

_lab_write_avahi_conf() {
    cat >"$1/avahi.conf" <<EOF
# Written by tests/lab/lab.sh: avahi-daemon of lab host $2.
[server]
host-name=$2
domain-name=local
use-ipv4=yes
use-ipv6=yes
allow-interfaces=mesh0
# A link that loses its carrier is gone (segments.sh: lab_move), as on a phone.
use-iff-running=yes
enable-dbus=yes
disallow-other-stacks=no

[wide-area]
enable-wide-area=no

[publish]
publish-addresses=yes
publish-hinfo=no
publish-workstation=no
publish-domain=no
publish-aaaa-on-ipv4=yes
publish-a-on-ipv6=no

[reflector]
enable-reflector=no
EOF
}

_lab_bus_env() { printf 'DBUS_SYSTEM_BUS_ADDRESS=unix:path=%s/bus' "$1"; }

# _lab_avahi_state DIR: the host's avahi server state (2 = running), or
# nothing when the daemon does not answer on its bus.
_lab_avahi_state() {
    env "$(_lab_bus_env "$1")" dbus-send --system --print-reply=literal \
        --reply-timeout=2000 --dest=org.freedesktop.Avahi / \
        org.freedesktop.Avahi.Server.GetState 2>/dev/null | awk '{ print $2 }'
}

# _lab_avahi_answers DIR: the host's avahi-daemon answers on its bus.
_lab_avahi_answers() { [ -n "$(_lab_avahi_state "$1")" ]; }

_lab_start_dbus() {
    local d ns
    d=$(_lab_host_dir "$1") || exit 1
    ns=$(_lab_ns "$1")
    rm -f "$d/bus"
    ip netns exec "$ns" dbus-daemon --config-file="$d/dbus.conf" --nofork --nopidfile \
        </dev/null >>"$d/dbus.log" 2>&1 &
    _lab_await_daemon $! "$d/dbus.pid" 10 "dbus-daemon of host $1 (its socket)" "$d/dbus.log" \
        test -S "$d/bus"
}

# _lab_start_avahi NAME: starts the host's avahi-daemon in a private mount
# namespace (its own /run for the pid file and socket, and an empty
# /etc/avahi/services so the machine's static services are not published) and
# waits until it answers on the host's bus.
_lab_start_avahi() {
    local d ns
    d=$(_lab_host_dir "$1") || exit 1
    ns=$(_lab_ns "$1")
    printf '=== avahi-daemon start %s\n' "$(date '+%H:%M:%S.%N')" >>"$d/avahi.log"
    # shellcheck disable=SC2016 # $1 is expanded by the inner sh
    env "$(_lab_bus_env "$d")" ip netns exec "$ns" unshare -m --propagation private sh -c '
        mount -t tmpfs -o mode=0755 lab-run /run &&
        mkdir /run/avahi-daemon &&
        { [ ! -d /etc/avahi/services ] ||
          mount -t tmpfs -o mode=0755 lab-services /etc/avahi/services; } &&
        exec avahi-daemon --no-drop-root --no-chroot --no-proc-title -f "$1"' \
        sh "$d/avahi.conf" </dev/null >>"$d/avahi.log" 2>&1 &
    _lab_await_daemon $! "$d/avahi.pid" 10 "avahi-daemon of host $1 (on its bus)" "$d/avahi.log" \
        _lab_avahi_answers "$d"
}

# lab_add_host NAME: a host: namespace, veth mesh0 into the mesh bridge with
# 169.254.1.N/24 and its fe80:: address, lo up, its own dbus-daemon and
# avahi-daemon. Returns once avahi-daemon answers on the host's bus (it may
# still be probing its host name: lab_wait_avahi waits for that). NAME: a
# DNS label in lower case; it is also the avahi host name (NAME.local).
lab_add_host() {
    local name idx ns br d
    name=${1:-}
    _lab_need_init
    case $name in
        ''|-*|*-|*[!a-z0-9-]*) _lab_die "bad host name '$name' (use a-z, 0-9, -)" ;;
        server) _lab_die "'server' is reserved for lab_add_server" ;;
    esac
    [ ${#name} -le 40 ] || _lab_die "host name '$name' is too long"
    d=$LAB_DIR/$name
    mkdir "$d" 2>/dev/null || _lab_die "host '$name' exists already"
    idx=$(_lab_alloc_index) || exit 1
    ns=$(_lab_ns "$name")
    br=$(_lab_bridge_ns)
    [ ${#d} -lt 100 ] || _lab_die "lab dir path too long for a unix socket: $d (set TMPDIR)"

    ip netns add "$ns" || _lab_die "cannot create namespace $ns"
    _lab_sysctls "$ns" || _lab_die "sysctl in $ns failed"
    ip -n "$ns" link set lo up || _lab_die "lo up failed in $ns"
    ip -n "$ns" link add mesh0 type veth peer name "m$idx" netns "$br" ||
        _lab_die "cannot create the mesh veth of $name"
    ip -n "$br" link set "m$idx" master mesh up || _lab_die "cannot plug $name into the mesh"
    ip -n "$ns" addr add "$LAB_MESH_NET.$idx/24" dev mesh0 || _lab_die "cannot address $name"
    ip -n "$ns" link set mesh0 up || _lab_die "mesh0 up failed on $name"
    echo "$idx" >"$d/index"

    _lab_write_dbus_conf "$d"
    _lab_write_avahi_conf "$d" "$name"
    _lab_start_dbus "$name"
    _lab_start_avahi "$name"
}

# lab_wait_avahi [NAME...]: waits (up to 10 s) until each host's avahi-daemon
# is running, i.e. has established its host name (default: every host). The
# daemons probe in parallel, so one call after adding all hosts is quickest.
lab_wait_avahi() {
    local name d i st
    _lab_need_init
    if [ $# -eq 0 ]; then
        for d in "$LAB_DIR"/*/index; do
            [ -f "$d" ] || continue
            d=${d%/index}
            [ -f "$d/avahi.conf" ] && set -- "$@" "${d##*/}"
        done
    fi
    for name in "$@"; do
        d=$(_lab_host_dir "$name") || exit 1
        i=0
        while :; do
            st=$(_lab_avahi_state "$d")
            [ "$st" = 2 ] && break
            _lab_alive "$(cat "$d/avahi.pid")" ||
                _lab_die "avahi-daemon of host $name is not running" "$d/avahi.log"
            [ $i -lt 200 ] ||
                _lab_die "avahi-daemon of host $name not running after 10 s (state '$st')" "$d/avahi.log"
            sleep 0.05
            i=$((i + 1))
        done
    done
}

# lab_exec NAME CMD...: runs CMD in NAME's namespace with
# DBUS_SYSTEM_BUS_ADDRESS set to that host's bus (not for "server"); returns
# CMD's status. Everything else in the environment is passed on unchanged.
lab_exec() {
    local name d
    name=${1:-}
    shift
    if [ "$name" = server ]; then
        _lab_need_init
        ip netns exec "$(_lab_ns server)" "$@"
        return
    fi
    d=$(_lab_host_dir "$name") || exit 1
    env "$(_lab_bus_env "$d")" ip netns exec "$(_lab_ns "$name")" "$@"
}

# lab_spawn NAME LOGFILE CMD...: runs CMD like lab_exec, in the background,
# stdout and stderr appended to LOGFILE, stdin from /dev/null. Prints CMD's pid;
# lab_teardown ends it (and anything else left in the lab's namespaces).
lab_spawn() {
    local name log pid ns d
    name=${1:-}
    log=${2:-}
    [ $# -ge 3 ] || _lab_die "usage: lab_spawn NAME LOGFILE CMD..."
    shift 2
    if [ "$name" = server ]; then
        _lab_need_init
        ip netns exec "$(_lab_ns server)" "$@" </dev/null >>"$log" 2>&1 &
        pid=$!
    else
        d=$(_lab_host_dir "$name") || exit 1
        ns=$(_lab_ns "$name")
        env "$(_lab_bus_env "$d")" ip netns exec "$ns" "$@" </dev/null >>"$log" 2>&1 &
        pid=$!
    fi
    _lab_record_pid "$pid"
    echo "$pid"
}

# lab_ip NAME: prints the host's mesh IPv4 address (the server's uplink
# address for "server").
lab_ip() {
    if [ "${1:-}" = server ]; then
        echo "$LAB_SERVER_IP"
        return
    fi
    local idx
    idx=$(_lab_index "${1:-}") || exit 1
    echo "$LAB_MESH_NET.$idx"
}

# lab_ifname NAME: prints the host's mesh interface name inside its namespace
# (mesh0; uplink0 for "server").
lab_ifname() {
    if [ "${1:-}" = server ]; then
        echo uplink0
        return
    fi
    _lab_host_dir "${1:-}" >/dev/null
    echo mesh0
}

# lab_ip6 NAME [IFNAME]: prints the host's fe80:: address on IFNAME (default
# its mesh interface), without scope; append %IFNAME to use it.
lab_ip6() {
    local ifname
    if [ -n "${2:-}" ]; then
        ifname=$2
    else
        ifname=$(lab_ifname "${1:-}") || exit 1
    fi
    ip -n "$(_lab_ns "$1")" -6 -o addr show dev "$ifname" scope link |
        sed -n 's|.* inet6 \(fe80:[0-9a-f:]*\)/64 .*|\1|p' | head -n 1
}

# lab_avahi_stop NAME: stops the host's avahi-daemon (SIGTERM, so it sends
# goodbye packets) and waits until it has exited.
lab_avahi_stop() {
    local d
    d=$(_lab_host_dir "${1:-}") || exit 1
    [ -f "$d/avahi.pid" ] || return 0
    _lab_stop_pid "$(cat "$d/avahi.pid")"
    rm -f "$d/avahi.pid"
}

# lab_avahi_start NAME: starts the host's avahi-daemon again (after
# lab_avahi_stop) and waits until it is running.
lab_avahi_start() {
    local d
    d=$(_lab_host_dir "${1:-}") || exit 1
    if [ -f "$d/avahi.pid" ] && _lab_alive "$(cat "$d/avahi.pid")"; then
        _lab_die "avahi-daemon of host $1 is running already"
    fi
    _lab_start_avahi "$1"
    lab_wait_avahi "$1"
}

# lab_avahi_restart NAME: kills and restarts the host's avahi-daemon; returns
# once the new one is running. Clients on the host see the daemon go away and
# come back, as after a package upgrade.
lab_avahi_restart() {
    lab_avahi_stop "${1:-}"
    lab_avahi_start "$1"
}

# lab_teardown: ends every process the lab started, deletes its namespaces
# (and so its veths and bridges) and its temp dir. Idempotent; safe after a
# partial lab_init. With KEEP_LAB_DIR=1 the dir is kept (renamed
# pigeon-lab-kept.*, never removed by the lab) to read the logs afterwards.
# Clears LAB_DIR and LAB_PREFIX.
lab_teardown() {
    local pids p
    [ -n "$LAB_PREFIX" ] || return 0
    pids=
    [ -n "$LAB_DIR" ] && [ -f "$LAB_DIR/pids" ] && pids=$(cat "$LAB_DIR/pids")
    _lab_remove_namespaces "$LAB_PREFIX"
    # Every process the lab started lived in its namespaces and has ended;
    # reap those that are our children, so no zombie stays behind. (A pid
    # still alive here is not ours any more: leave it.)
    for p in $pids; do
        _lab_alive "$p" || wait "$p" 2>/dev/null || true
    done
    if [ -n "$LAB_DIR" ] && [ -d "$LAB_DIR" ]; then
        if [ "${KEEP_LAB_DIR:-0}" = 1 ]; then
            # Renamed, so that lab_cleanup_stale does not take it.
            p=$(dirname "$LAB_DIR")/pigeon-lab-kept.${LAB_DIR##*/pigeon-lab.}
            mv "$LAB_DIR" "$p" && _lab_say "kept the lab's files in $p"
        else
            rm -rf "$LAB_DIR"
        fi
    fi
    # The shell may lab_init a new lab now.
    LAB_DIR=
    LAB_PREFIX=
    return 0
}
