#!/bin/sh
# Self-test of the multi-namespace lab (tests/lab/lab.sh): builds 3 hosts and
# the server, and checks with real tools (ping, avahi-publish/-browse, curl,
# a BOSH login) that the lab behaves as the tests that use it assume; then
# the same of two ejabberd labs side by side (`selftest.sh --server-only`
# with LAB_SERVER=ejabberd: one host and the server).
# Exit: 0 pass, 1 fail, 77 skip (not root, no namespaces).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab.sh
. "$here/lab.sh"
. "$here/server.sh"
. "$here/ejabberd.sh"
. "$here/segments.sh"
trap lab_teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0
failed=0
started=$(date +%s.%N)

ok() {
    passed=$((passed + 1))
    echo "ok - $*"
}

not_ok() {
    failed=$((failed + 1))
    echo "not ok - $*"
}

# check DESCRIPTION COMMAND...: one check, reported as it runs.
check() {
    desc=$1
    shift
    if "$@" >"$LAB_DIR/check.out" 2>&1; then
        ok "$desc"
    else
        not_ok "$desc"
        sed 's/^/    # /' "$LAB_DIR/check.out"
    fi
}

elapsed() { echo "$(date +%s.%N) $started" | awk '{ printf "%.1f", $1 - $2 }'; }

# browse HOST: the _presence._tcp services HOST sees now, one resolved line
# each (avahi-browse -p format), after applying removals in the output.
# Bounded: once, in a fresh clone, the test sat from its check after
# lab_avahi_restart until meson's 300 s timeout, and avahi-browse (which
# waits for every resolver it started) is the only wait there with no bound
# of its own. Cut off, it is simply tried again by `sees`.
browse() {
    lab_exec "$1" timeout 10 avahi-browse -rtpk _presence._tcp 2>/dev/null |
        awk -F';' '
            $1 == "+" || $1 == "=" { key = $2 ";" $3 ";" $4; if ($1 == "=") seen[key] = $0 }
            $1 == "-" { key = $2 ";" $3 ";" $4; delete seen[key] }
            END { for (k in seen) print seen[k] }'
}

# sees HOST PATTERN: HOST's view has a resolved service line matching the
# extended regular expression PATTERN; tries for up to ~10 s.
sees() {
    i=0
    while [ $i -lt 10 ]; do
        browse "$1" >"$LAB_DIR/browse.out"
        grep -Eq "$2" "$LAB_DIR/browse.out" && return 0
        i=$((i + 1))
    done
    echo "last view of $1:"
    cat "$LAB_DIR/browse.out"
    return 1
}

# sees_nothing HOST NAME: the service NAME disappears from HOST's view within ~10 s.
sees_nothing() {
    i=0
    while [ $i -lt 10 ]; do
        browse "$1" >"$LAB_DIR/browse.out"
        grep -Fq ";$2;" "$LAB_DIR/browse.out" || return 0
        i=$((i + 1))
    done
    echo "last view of $1:"
    cat "$LAB_DIR/browse.out"
    return 1
}

# http_code HOST: the HTTP status HOST gets from the BOSH URL (curl fails when
# there is no answer).
http_code() {
    lab_exec "$1" curl -sS -m 3 -o /dev/null -w '%{http_code}' "$LAB_BOSH_URL"
}

answers_http() {
    code=$(http_code "$1") || return 1
    echo "HTTP $code"
    [ "$code" = 200 ]
}

no_http() {
    if code=$(http_code "$1"); then
        echo "unexpected answer: HTTP $code"
        return 1
    fi
    return 0
}

# publish HOST NAME TXT...: publishes a _presence._tcp service on HOST; prints
# the publisher's pid.
publish() {
    host=$1 name=$2
    shift 2
    lab_spawn "$host" "$LAB_DIR/publish-$host.log" avahi-publish -s "$name" _presence._tcp 5562 "$@"
}

# bosh_login HOST USER PASSWORD: SCRAM-SHA-1 login over BOSH from HOST.
bosh_login() {
    lab_exec "$1" python3 - "$LAB_BOSH_URL" "$2" "$LAB_XMPP_DOMAIN" "$3" <<'EOF'
import base64, hashlib, hmac, os, re, sys, urllib.request

url, user, domain, password = sys.argv[1:5]
rid = int.from_bytes(os.urandom(4), "big")


def post(attrs, payload=""):
    global rid
    rid += 1
    body = f"<body rid='{rid}' {attrs} xmlns='http://jabber.org/protocol/httpbind'>{payload}</body>"
    req = urllib.request.Request(url, body.encode(), {"Content-Type": "text/xml; charset=utf-8"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.read().decode()


def b64(data):
    return base64.b64encode(data).decode()


resp = post(f"to='{domain}' xml:lang='en' wait='10' hold='1' ver='1.6' "
            "xmpp:version='1.0' xmlns:xmpp='urn:xmpp:xbosh'")
sid = re.search(r"sid='([^']+)'", resp).group(1)
mechs = re.findall(r"<mechanism>([^<]+)</mechanism>", resp)
print("offered:", " ".join(mechs))
if "SCRAM-SHA-1" not in mechs:
    sys.exit("SCRAM-SHA-1 is not offered")
if "PLAIN" in mechs:
    sys.exit("PLAIN is offered over plain HTTP")

nonce = b64(os.urandom(18))
client_first = f"n={user},r={nonce}"
resp = post(f"sid='{sid}'", "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>"
            + b64(("n,," + client_first).encode()) + "</auth>")
m = re.search(r"<challenge[^>]*>([^<]+)</challenge>", resp)
if not m:
    sys.exit("no challenge: " + resp)
server_first = base64.b64decode(m.group(1)).decode()
fields = dict(kv.split("=", 1) for kv in server_first.split(","))
if not fields["r"].startswith(nonce):
    sys.exit("the server nonce does not extend ours")
salted = hashlib.pbkdf2_hmac("sha1", password.encode(), base64.b64decode(fields["s"]), int(fields["i"]))
client_key = hmac.new(salted, b"Client Key", hashlib.sha1).digest()
final_bare = f"c=biws,r={fields['r']}"
auth_message = f"{client_first},{server_first},{final_bare}".encode()
signature = hmac.new(hashlib.sha1(client_key).digest(), auth_message, hashlib.sha1).digest()
proof = bytes(a ^ b for a, b in zip(client_key, signature))
resp = post(f"sid='{sid}'", "<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
            + b64(f"{final_bare},p={b64(proof)}".encode()) + "</response>")
m = re.search(r"<success[^>]*>([^<]*)</success>", resp)
if not m:
    sys.exit("not authenticated: " + resp)
server_key = hmac.new(salted, b"Server Key", hashlib.sha1).digest()
if base64.b64decode(m.group(1)).decode() != "v=" + b64(hmac.new(server_key, auth_message, hashlib.sha1).digest()):
    sys.exit("the server signature does not verify")
post(f"sid='{sid}' type='terminate'")
print("authenticated as", f"{user}@{domain}")
EOF
}

# none_alive PID...: none of the processes runs any more (zombies waiting for
# init to reap them count as ended).
none_alive() {
    for p in "$@"; do
        if _lab_alive "$p"; then
            ps -o pid,stat,cmd -p "$p"
            return 1
        fi
    done
    return 0
}

login_refused() {
    ! bosh_login "$@"
}

pings() {
    lab_exec "$1" ping -c 1 -W 2 "$2"
}

pings6() {
    lab_exec "$1" ping -6 -c 1 -W 2 "$(lab_ip6 "$2")%$(lab_ifname "$1")"
}

resolves() {
    got=$(lab_exec "$1" avahi-resolve-host-name "$2" "$3.local" | awk '{ print $2 }')
    echo "$3.local -> $got"
    [ "$got" = "$4" ]
}

# host_meta HOST: the server's host-meta, asked for by domain, names the BOSH URL.
host_meta() {
    lab_exec "$1" curl -sS -m 3 -H "Host: $LAB_XMPP_DOMAIN" \
        "http://$LAB_SERVER_IP:5280/.well-known/host-meta" >"$LAB_DIR/host-meta.xml" || return 1
    cat "$LAB_DIR/host-meta.xml"
    grep -q "rel=.urn:xmpp:alt-connections:xbosh. href=.$LAB_BOSH_URL." "$LAB_DIR/host-meta.xml"
}

# own_node: the lab's ejabberd node is named after the lab, uses the lab's
# cookie and needs no epmd: none listens or runs in the server's namespace.
own_node() {
    ns=$(_lab_ns server)
    pids=$(ip netns pids "$ns")
    # shellcheck disable=SC2086 # a list of pids
    ps -o pid=,args= -p $pids >"$LAB_DIR/server-procs.txt" || return 1
    cat "$LAB_DIR/server-procs.txt"
    grep -q -- "-sname $LAB_PREFIX@localhost " "$LAB_DIR/server-procs.txt" &&
        grep -q -- "-home $LAB_DIR/server/home " "$LAB_DIR/server-procs.txt" &&
        ! grep -q '^ *[0-9]* [^ ]*epmd' "$LAB_DIR/server-procs.txt" &&
        ! ip netns exec "$ns" ss -Hltn "sport = :4369" | grep -q .
}

# server_only: a lab of one host and the server LAB_SERVER names, and what
# the tests assume of that server. Prints the checks and the count.
server_only() {
    lab_init
    lab_add_host a
    lab_add_server
    ok "$LAB_SERVER lab up after $(elapsed) s ($LAB_DIR)"
    lab_uplink a up
    check "a gets HTTP 200 from $LAB_BOSH_URL" answers_http a
    check "lab_server_user creates alice@example.org" lab_server_user alice@example.org s3cret
    check "a logs in as alice with SCRAM-SHA-1 over BOSH" bosh_login a alice s3cret
    check "a wrong password is refused" login_refused a alice wrong
    check "the host-meta names $LAB_BOSH_URL" host_meta a
    [ "$LAB_SERVER" != ejabberd ] || check "the node is the lab's own, without epmd" own_node
    lab_server_stop
    check "after lab_server_stop, a gets no answer" no_http a
    lab_server_start
    check "after lab_server_start, a gets HTTP 200 again" answers_http a
    check "alice's account survived the server restart" bosh_login a alice s3cret
    lab_teardown
    echo "$LAB_SERVER lab took $(elapsed) s"
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

if [ "${1:-}" = --server-only ]; then
    server_only
    exit
fi

# --- the lab ----------------------------------------------------------------

lab_init
for h in a b c; do
    lab_add_host "$h"
done
lab_wait_avahi
lab_add_server
ok "lab with hosts a b c and the server up after $(elapsed) s ($LAB_DIR)"

# --- addresses and reachability ---------------------------------------------

check "a is 169.254.1.1 on mesh0" test "$(lab_ip a)" = 169.254.1.1 -a "$(lab_ifname a)" = mesh0
check "hosts have no default route" sh -c "! ip -n $LAB_PREFIX-a route show default | grep -q . &&
    ! ip -n $LAB_PREFIX-a -6 route show default | grep -q ."
for from in a b c; do
    for to in a b c; do
        [ "$from" = "$to" ] && continue
        check "$from pings $to at $(lab_ip "$to")" pings "$from" "$(lab_ip "$to")"
        check "$from pings $to at $(lab_ip6 "$to")%mesh0" pings6 "$from" "$to"
    done
done

# --- mDNS discovery, across avahi-daemon restarts -------------------------------

a4=$(lab_ip a)
a6=$(lab_ip6 a)
check "b resolves a.local to $a4" resolves b -4 a "$a4"
check "b resolves a.local to $a6" resolves b -6 a "$a6"

publish a "alice@a" txtvers=1 status=avail "1st=Alice" >/dev/null
check "b sees a's _presence._tcp service with a's address, port and TXT" \
    sees b "^=;mesh0;IPv[46];alice\\\\064a;_presence\\._tcp;local;a\\.local;($a4|$a6);5562;.*\"status=avail\""
check "c sees it too" sees c ";alice\\\\064a;_presence\\._tcp;local;a\\.local;($a4|$a6);5562;"

lab_avahi_stop a
check "after lab_avahi_stop a, b no longer sees the service" sees_nothing b 'alice\064a'
lab_avahi_start a
publish a "alice@a" txtvers=1 status=dnd >/dev/null
check "after lab_avahi_start a and re-publishing, b sees it again" \
    sees b ";alice\\\\064a;_presence\\._tcp;local;a\\.local;($a4|$a6);5562;.*\"status=dnd\""

lab_avahi_restart a
publish a "alice@a" txtvers=1 status=away >/dev/null
check "after lab_avahi_restart a and re-publishing, b sees it again" \
    sees b ";alice\\\\064a;_presence\\._tcp;local;a\\.local;($a4|$a6);5562;.*\"status=away\""

# --- segments (segments.sh) -------------------------------------------------

lab_add_segment platform
check "a new segment: c starts on mesh" test "$(lab_segment c)" = mesh
publish c "carol@c" txtvers=1 status=avail >/dev/null
check "b sees c's service" sees b ';carol\\064c;'
lab_move c platform
check "lab_move c platform: c is on platform" test "$(lab_segment c)" = platform
check "c no longer sees a's service (its avahi dropped the old segment)" sees_nothing c 'alice\064a'
check "c no longer reaches a" sh -c "! ip netns exec $(_lab_ns c) ping -c 1 -W 1 $(lab_ip a)"
lab_move b platform
check "b, moved too, sees c's service on platform, with c's address" \
    sees b ";carol\\\\064c;_presence\\._tcp;local;c\\.local;($(lab_ip c)|$(lab_ip6 c));5562;"
check "b pings c on platform" pings b "$(lab_ip c)"
check "b no longer sees a's service" sees_nothing b 'alice\064a'
lab_move b mesh
lab_move c mesh
check "back on mesh, b sees a's service again" sees b ';alice\\064a;'

# --- uplink and server ------------------------------------------------------

check "before its uplink, a cannot reach $LAB_BOSH_URL" no_http a
lab_uplink a up
check "with lab_uplink a up, a gets HTTP 200 from $LAB_BOSH_URL" answers_http a
check "a has 169.254.100.11 on uplink0" sh -c \
    "ip -n $LAB_PREFIX-a -4 addr show dev uplink0 | grep -q 'inet $(lab_uplink_ip a)/24'"
check "b (no uplink) still cannot reach the server" no_http b
check "lab_server_user creates alice@example.org" lab_server_user alice@example.org s3cret
check "a logs in as alice with SCRAM-SHA-1 over BOSH" bosh_login a alice s3cret
check "a wrong password is refused" login_refused a alice wrong
lab_uplink a down
check "after lab_uplink a down, a cannot reach the server" no_http a
lab_uplink a up
check "after lab_uplink a up again, a reaches it again" answers_http a
lab_server_stop
check "after lab_server_stop, a gets no answer" no_http a
lab_server_start
check "after lab_server_start, a gets HTTP 200 again" answers_http a
check "alice's account survived the server restart" bosh_login a alice s3cret

# --- ejabberd: two labs at once, beside this one ------------------------------

for n in 1 2; do
    LAB_SERVER=ejabberd sh "$here/selftest.sh" --server-only >"$LAB_DIR/ejabberd$n.out" 2>&1 &
    echo $! >"$LAB_DIR/ejabberd$n.pid"
done
for n in 1 2; do
    wait "$(cat "$LAB_DIR/ejabberd$n.pid")" || true
    sed -e "s/^ok - /ok - ejabberd lab $n: /" -e "s/^not ok - /not ok - ejabberd lab $n: /" \
        -e '/^[0-9]* passed, [0-9]* failed$/d' "$LAB_DIR/ejabberd$n.out"
    counts=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$LAB_DIR/ejabberd$n.out")
    if [ -z "$counts" ]; then
        not_ok "ejabberd lab $n ran to its end"
        continue
    fi
    passed=$((passed + ${counts% *}))
    failed=$((failed + ${counts#* }))
done

# --- leftovers of a killed lab, next to a live one ---------------------------

# A lab in a process that dies by SIGKILL after setting up a host...
sh -c '. "$1"; lab_init; lab_add_host x; kill -KILL $$' sh "$here/lab.sh" 2>"$LAB_DIR/stale.log" &
stale=pigeonlab$!
wait $! || true
check "a killed lab leaves its namespaces behind ($stale)" sh -c "ip netns list | grep -q '^$stale-x'"
stale_pids=$( (ip netns pids "$stale-x" 2>/dev/null || true) | tr '\n' ' ')

# ...and one whose owner lives on until $LAB_DIR/live.flag goes (at most 30 s).
sh -c '. "$1"; trap lab_teardown EXIT; lab_init; lab_add_host y; : >"$2"
    i=0; while [ -e "$2" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done' \
    sh "$here/lab.sh" "$LAB_DIR/live.flag" 2>"$LAB_DIR/live.log" &
live_pid=$!
live=pigeonlab$live_pid
i=0
while [ ! -e "$LAB_DIR/live.flag" ] && _lab_alive "$live_pid" && [ $i -lt 200 ]; do
    sleep 0.05
    i=$((i + 1))
done
check "a second lab comes up beside this one ($live)" test -e "$LAB_DIR/live.flag"

lab_cleanup_stale 2>>"$LAB_DIR/stale.log"
check "lab_cleanup_stale removes the killed lab's namespaces" sh -c "! ip netns list | grep -q '^${stale}[-_]'"
# shellcheck disable=SC2086 # a list of pids
check "lab_cleanup_stale ends the killed lab's processes ($stale_pids)" none_alive $stale_pids
check "lab_cleanup_stale leaves the live lab alone" sh -c \
    "ip netns list | grep -q '^$live-y' && [ -n \"\$(ip netns pids $live-y)\" ]"
rm -f "$LAB_DIR/live.flag"
wait "$live_pid" || true
check "the live lab's own teardown removes it" sh -c "! ip netns list | grep -q '^${live}[-_]'"

# --- teardown -----------------------------------------------------------------

dir=$LAB_DIR
prefix=$LAB_PREFIX
inodes=$(for ns in $(ip netns list | sed -n "s/^\(${prefix}[-_][^ ]*\).*/\1/p"); do
    stat -L -c %i "/run/netns/$ns"
done | tr '\n' ' ')
results=$(mktemp)
lab_teardown
{
    if ip netns list | grep -q "^${prefix}[-_]"; then
        echo "not ok - teardown leaves no namespace"
        ip netns list | grep "^${prefix}[-_]" | sed 's/^/    # /'
    else
        echo "ok - teardown leaves no namespace"
    fi
    left=
    for p in /proc/[0-9]*; do
        ino=$(stat -L -c %i "$p/ns/net" 2>/dev/null) || continue
        case " $inodes " in *" $ino "*) left="$left ${p#/proc/}" ;; esac
        grep -qF "$dir" "$p/cmdline" 2>/dev/null && left="$left ${p#/proc/}"
    done
    if [ -z "$left" ]; then
        echo "ok - teardown leaves no process behind"
    else
        echo "not ok - teardown leaves no process behind:$left"
    fi
    if [ -e "$dir" ]; then
        echo "not ok - teardown removes $dir"
    else
        echo "ok - teardown removes the lab dir"
    fi
    lab_teardown && echo "ok - a second lab_teardown is harmless" ||
        echo "not ok - a second lab_teardown is harmless"
} >"$results"
cat "$results"
passed=$((passed + $(grep -c '^ok' "$results" || true)))
failed=$((failed + $(grep -c '^not ok' "$results" || true)))
rm -f "$results"

echo "selftest took $(elapsed) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
