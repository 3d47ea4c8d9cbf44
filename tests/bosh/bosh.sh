#!/bin/bash
# lib/bosh against a real Prosody: a private server bound to 127.0.0.1 on a
# free port, configured from scratch in a temporary directory, driven by
# run-bosh (RunBosh.cxx). Exits 77 when Prosody is not installed.
set -euo pipefail

if ! command -v prosody >/dev/null || ! command -v prosodyctl >/dev/null; then
    echo "prosody is not installed: skipping"
    exit 77
fi
RUN_BOSH=${RUN_BOSH:?RUN_BOSH must name the run-bosh binary}

# Proof that run-bosh ignores proxies from the environment: this one does not exist.
export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pigeon-bosh.XXXXXX")
prosody_pid=
tool_pid=

stop_prosody() {
    local signal=${1:-TERM}
    [ -n "$prosody_pid" ] || return 0
    kill "-$signal" "$prosody_pid" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$prosody_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$prosody_pid" 2>/dev/null || true
    wait "$prosody_pid" 2>/dev/null || true
    prosody_pid=
}

cleanup() {
    local status=$?
    [ -z "$tool_pid" ] || kill "$tool_pid" 2>/dev/null || true
    stop_prosody
    if [ "$status" -ne 0 ] && [ -f "$tmp/prosody.log" ]; then
        echo "--- last lines of the Prosody log"
        tail -n 40 "$tmp/prosody.log"
    fi
    [ -n "${BOSH_KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*"
    exit 1
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    command -v ss >/dev/null && ss -Htln 2>/dev/null | grep -q ":$1 " && return 0
    return 1
}

free_port() {
    local port
    for _ in $(seq 200); do
        port=$((20000 + RANDOM % 40000))
        if ! port_in_use "$port" && [[ " ${ports_taken:-} " != *" $port "* ]]; then
            ports_taken="${ports_taken:-} $port"
            echo "$port"
            return 0
        fi
    done
    fail "no free port found"
}

http_port=$(free_port)
c2s_port=$(free_port)
url="http://127.0.0.1:$http_port/http-bind"
config="$tmp/prosody.cfg.lua"
mkdir -p "$tmp/data"

{
    [ "$(id -u)" -ne 0 ] || echo 'run_as_root = true'
    cat <<CONFIG
daemonize = false
pidfile = "$tmp/prosody.pid"
data_path = "$tmp/data"
log = { debug = "$tmp/prosody.log" }
plugin_paths = { }
admins = { }

-- Loopback only, every listener.
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
http_ports = { $http_port }
http_interfaces = { "127.0.0.1" }
https_ports = { }
https_interfaces = { }
c2s_ports = { $c2s_port }
c2s_interfaces = { "127.0.0.1" }
s2s_ports = { }
http_default_host = "example.org"

modules_enabled = {
    "roster"; "saslauth"; "disco"; "register"; "ping"; "bosh"; "posix";
}
modules_disabled = { "s2s"; }

-- Plain passwords let the server offer SCRAM-SHA-256 as well as SCRAM-SHA-1.
authentication = "internal_plain"
storage = "internal"
allow_registration = true
min_seconds_between_registrations = 0
-- BOSH over plain HTTP on loopback counts as secure; SCRAM needs nothing more.
consider_bosh_secure = true
c2s_require_encryption = false
allow_unencrypted_plain_auth = false
bosh_max_inactivity = 30

VirtualHost "example.org"
CONFIG
} >"$config"

start_prosody() {
    prosody --config "$config" >>"$tmp/prosody.out" 2>&1 &
    prosody_pid=$!
    for _ in $(seq 150); do
        kill -0 "$prosody_pid" 2>/dev/null || { cat "$tmp/prosody.out"; fail "prosody exited"; }
        port_in_use "$http_port" && return 0
        sleep 0.1
    done
    fail "prosody did not listen on port $http_port within 15 s"
}

# Waits up to $2 seconds for the tool's output file $1 to hold a line matching $3.
wait_for_line() {
    for _ in $(seq $(($2 * 10))); do
        grep -q "$3" "$1" 2>/dev/null && return 0
        kill -0 "$tool_pid" 2>/dev/null || break
        sleep 0.1
    done
    grep -q "$3" "$1" 2>/dev/null
}

for user in alice bob dave eve; do
    prosodyctl --config "$config" register "$user" example.org "secret-$user" >/dev/null ||
        fail "prosodyctl cannot register $user"
done
start_prosody
echo "prosody on 127.0.0.1:$http_port"
SECONDS=0

step() {
    echo "== $*"
}

step "login with SCRAM-SHA-1, SCRAM-SHA-256 and the strongest offered"
"$RUN_BOSH" login "$url" alice@example.org secret-alice SCRAM-SHA-1 || fail "SCRAM-SHA-1 login"
"$RUN_BOSH" login "$url" alice@example.org secret-alice SCRAM-SHA-256 || fail "SCRAM-SHA-256 login"
"$RUN_BOSH" login "$url" alice@example.org secret-alice || fail "default login"
# PLAIN is never used over plain HTTP, even when forced.
if "$RUN_BOSH" login "$url" alice@example.org secret-alice PLAIN >"$tmp/plain.out"; then
    fail "PLAIN over http"
fi
grep -q "no acceptable SASL mechanism" "$tmp/plain.out" || fail "PLAIN refusal: $(cat "$tmp/plain.out")"

step "wrong password"
"$RUN_BOSH" wrong-password "$url" alice@example.org not-the-password || fail "wrong password"

step "alice sends bob 1 + 200 messages"
"$RUN_BOSH" chat "$url" alice@example.org secret-alice bob@example.org secret-bob 200 ||
    fail "chat"

step "in-band registration"
"$RUN_BOSH" register "$url" carol@example.org secret-carol || fail "registration"

step "password change"
"$RUN_BOSH" passwd "$url" dave@example.org secret-dave new-secret-dave || fail "password change"

for signal in TERM KILL; do
    step "server stopped with SIG$signal mid-session, then restarted"
    rm -f "$tmp/go"
    "$RUN_BOSH" outage "$url" eve@example.org secret-eve "$tmp/go" >"$tmp/outage.out" 2>&1 &
    tool_pid=$!
    wait_for_line "$tmp/outage.out" 30 '^ready' || { cat "$tmp/outage.out"; fail "not ready"; }
    sleep 0.5 # some messages on the way
    stop_prosody "$signal"
    wait_for_line "$tmp/outage.out" 60 '^offline' || { cat "$tmp/outage.out"; fail "no offline"; }
    start_prosody
    touch "$tmp/go"
    status=0
    for _ in $(seq 600); do
        kill -0 "$tool_pid" 2>/dev/null || break
        sleep 0.1
    done
    wait "$tool_pid" || status=$?
    tool_pid=
    cat "$tmp/outage.out"
    [ "$status" -eq 0 ] || fail "outage with SIG$signal"
done

echo "all BOSH checks passed in $SECONDS s"
