# tests/lab/server.sh: the lab's XMPP server (Prosody with BOSH) on the
# uplink segment, and each host's uplink to it. Source it after lab.sh,
# whose internal helpers it uses.

# lab_uplink_ip NAME: prints the host's uplink IPv4 address (169.254.100.10+N).
lab_uplink_ip() {
    local idx
    idx=$(_lab_index "${1:-}") || exit 1
    echo "$LAB_UPLINK_NET.$((10 + idx))"
}

_lab_write_prosody_conf() {
    cat >"$1/prosody.cfg.lua" <<EOF
-- Written by tests/lab/lab.sh: the lab's XMPP server.
run_as_root = true
pidfile = "$1/prosody.pid"
data_path = "$1/data"
certificates = "$1/certs"
log = {
    { levels = { min = "debug" }, to = "file", filename = "$1/prosody.log" };
}

-- Listen on the uplink segment only: BOSH over HTTP, plain c2s for debugging;
-- no HTTPS, no s2s, no components.
interfaces = { "$LAB_SERVER_IP" }
http_ports = { 5280 }
http_interfaces = { "$LAB_SERVER_IP" }
https_ports = { }
c2s_ports = { 5222 }
s2s_ports = { }
component_ports = { }
http_default_host = "$LAB_XMPP_DOMAIN"

modules_enabled = {
    "roster"; "saslauth"; "disco"; "carbons"; "pep"; "private"; "blocklist";
    "vcard4"; "vcard_legacy"; "version"; "uptime"; "time"; "ping";
    "register"; "bosh"; "posix";
    "mam"; -- XEP-0313: what reached a session that died is still in the archive
}
modules_disabled = { "s2s" }

authentication = "internal_hashed"
allow_registration = true

-- No TLS in the lab: BOSH runs over plain HTTP on a link-local segment.
-- Without this, Prosody offers no SASL mechanism and no registration on an
-- unencrypted session. With it, SCRAM-SHA-1 is offered and PLAIN is not (as
-- allow_unencrypted_plain_auth stays false), so clients must do SCRAM.
c2s_require_encryption = false
allow_unencrypted_plain_auth = false
${LAB_PROSODY_EXTRA:-}

VirtualHost "$LAB_XMPP_DOMAIN"
EOF
}

# lab_add_server: namespace "server" on the uplink segment (169.254.100.1/24)
# with a private Prosody serving BOSH at $LAB_BOSH_URL
# (http://169.254.100.1:5280/http-bind) for domain example.org. Returns once
# the BOSH port is listening. LAB_PROSODY_EXTRA, if set, is added to the global
# section of the config (e.g. 'consider_bosh_secure = true' to offer PLAIN).
lab_add_server() {
    local d ns br
    _lab_need_init
    d=$LAB_DIR/server
    mkdir "$d" 2>/dev/null || _lab_die "the lab has a server already"
    command -v prosody >/dev/null 2>&1 || _lab_die "'prosody' is missing; run scripts/install-deps"
    mkdir -p "$d/data" "$d/certs"
    ns=$(_lab_ns server)
    br=$(_lab_bridge_ns)
    ip netns add "$ns" || _lab_die "cannot create namespace $ns"
    _lab_sysctls "$ns" || _lab_die "sysctl in $ns failed"
    ip -n "$ns" link set lo up || _lab_die "lo up failed in $ns"
    ip -n "$ns" link add uplink0 type veth peer name userver netns "$br" ||
        _lab_die "cannot create the server's veth"
    ip -n "$br" link set userver master uplink up || _lab_die "cannot plug the server into the uplink"
    ip -n "$ns" addr add "$LAB_SERVER_IP/24" dev uplink0 || _lab_die "cannot address the server"
    ip -n "$ns" link set uplink0 up || _lab_die "uplink0 up failed on the server"
    _lab_write_prosody_conf "$d"
    lab_server_start
}

# lab_server_start: starts Prosody (after lab_server_stop) and waits up to 15 s
# until its BOSH port listens.
lab_server_start() {
    local d ns
    _lab_need_init
    d=$LAB_DIR/server
    [ -f "$d/prosody.cfg.lua" ] || _lab_die "no server in this lab (lab_add_server)"
    if [ -f "$d/prosody.lpid" ] && _lab_alive "$(cat "$d/prosody.lpid")"; then
        _lab_die "prosody is running already"
    fi
    ns=$(_lab_ns server)
    printf '=== prosody start %s\n' "$(date '+%H:%M:%S.%N')" >>"$d/prosody.out"
    ip netns exec "$ns" prosody -F --config "$d/prosody.cfg.lua" \
        </dev/null >>"$d/prosody.out" 2>&1 &
    _lab_await_daemon $! "$d/prosody.lpid" 15 "prosody (listening on :5280)" "$d/prosody.log" \
        _lab_bosh_listens "$ns"
}

# _lab_bosh_listens NS: something listens on the BOSH port in namespace NS.
_lab_bosh_listens() { ip netns exec "$1" ss -Hltn "sport = :5280" 2>/dev/null | grep -q .; }

# lab_server_stop: stops Prosody (SIGTERM, KILL after 3 s) and waits until it
# has exited. Accounts and stored messages stay for lab_server_start.
lab_server_stop() {
    local d
    _lab_need_init
    d=$LAB_DIR/server
    [ -f "$d/prosody.lpid" ] || return 0
    _lab_stop_pid "$(cat "$d/prosody.lpid")"
    rm -f "$d/prosody.lpid"
}

# lab_server_user JID PASSWORD: creates the account (JID: user@example.org or
# just user). Works whether Prosody runs or not.
lab_server_user() {
    local jid user host d
    jid=${1:-}
    [ $# -eq 2 ] || _lab_die "usage: lab_server_user JID PASSWORD"
    _lab_need_init
    d=$LAB_DIR/server
    [ -f "$d/prosody.cfg.lua" ] || _lab_die "no server in this lab (lab_add_server)"
    case $jid in
        *@*) user=${jid%%@*}; host=${jid#*@} ;;
        *) user=$jid; host=$LAB_XMPP_DOMAIN ;;
    esac
    [ "$host" = "$LAB_XMPP_DOMAIN" ] || _lab_die "the lab server only hosts $LAB_XMPP_DOMAIN, not $host"
    prosodyctl --config "$d/prosody.cfg.lua" register "$user" "$host" "$2" \
        >>"$d/prosodyctl.log" 2>&1 ||
        _lab_die "prosodyctl register $user@$host failed" "$d/prosodyctl.log"
}

# lab_uplink NAME up|down: "up" plugs host NAME into the uplink segment
# (uplink0, 169.254.100.(10+N)/24; created by the first "up") or brings that
# link up again; "down" sets uplink0 down inside the host, which removes its
# route to the server: nothing reaches the uplink segment until the next "up".
lab_uplink() {
    local name d idx ns br
    name=${1:-}
    d=$(_lab_host_dir "$name") || exit 1
    ns=$(_lab_ns "$name")
    case ${2:-} in
        up)
            if [ ! -f "$d/uplink" ]; then
                idx=$(_lab_index "$name") || exit 1
                br=$(_lab_bridge_ns)
                ip -n "$ns" link add uplink0 type veth peer name "u$idx" netns "$br" ||
                    _lab_die "cannot create the uplink veth of $name"
                ip -n "$br" link set "u$idx" master uplink up ||
                    _lab_die "cannot plug $name into the uplink"
                ip -n "$ns" addr add "$LAB_UPLINK_NET.$((10 + idx))/24" dev uplink0 ||
                    _lab_die "cannot address the uplink of $name"
                : >"$d/uplink"
            fi
            ip -n "$ns" link set uplink0 up || _lab_die "uplink0 up failed on $name"
            ;;
        down)
            [ -f "$d/uplink" ] || return 0
            ip -n "$ns" link set uplink0 down || _lab_die "uplink0 down failed on $name"
            ;;
        *) _lab_die "usage: lab_uplink NAME up|down" ;;
    esac
}
