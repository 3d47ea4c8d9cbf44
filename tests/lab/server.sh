# tests/lab/server.sh: the lab's XMPP server (Prosody with BOSH, and c2s with
# TLS from a lab CA) and its DNS server on the uplink segment, and each host's
# uplink to it. Source it after lab.sh, whose internal helpers it uses.
# LAB_SERVER=ejabberd makes the server ejabberd instead (source ejabberd.sh
# too), with the same ports and certificate.

# shellcheck disable=SC2034 # used by the tests that source this file
LAB_SERVER_CERT=example.org # the certificate the server presents (lab_server_cert)

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
-- c2s TLS with a certificate from the lab's CA (lab_server_cert picks which).
ssl = {
    certificate = "$1/tls/$LAB_SERVER_CERT.crt";
    key = "$1/tls/$LAB_SERVER_CERT.key";
    protocol = "${LAB_PROSODY_TLS:-tlsv1_2+}";
}

-- Listen on the uplink segment only: BOSH over HTTP, c2s with STARTTLS on
-- 5222 and direct TLS (XEP-0368) on 5223; no HTTPS, no s2s, no components.
interfaces = { "$LAB_SERVER_IP" }
http_ports = { 5280 }
http_interfaces = { "$LAB_SERVER_IP" }
https_ports = { }
c2s_ports = { 5222 }
c2s_direct_tls_ports = { 5223 }
s2s_ports = { }
component_ports = { }
http_default_host = "$LAB_XMPP_DOMAIN"

modules_enabled = {
    "roster"; "saslauth"; "disco"; "carbons"; "pep"; "private"; "blocklist";
    "vcard4"; "vcard_legacy"; "version"; "uptime"; "time"; "ping";
    "register"; "bosh"; "posix"; "tls"; "smacks";
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
# (http://169.254.100.1:5280/http-bind) and c2s (STARTTLS :5222, direct TLS
# :5223, certificate from the lab CA, $LAB_CA) for domain example.org, and a
# DNS server (dnsmasq, :53) answering for example.org (lab_dns_srv). Returns
# once the BOSH port is listening. LAB_PROSODY_EXTRA, if set, is added to the
# global section of the config (e.g. 'consider_bosh_secure = true' to offer
# PLAIN); LAB_PROSODY_TLS sets its TLS protocol (default tlsv1_2+; tlsv1_2
# lets Prosody 0.12 offer SCRAM-SHA-1-PLUS with tls-unique).
lab_add_server() {
    local d ns br
    _lab_need_init
    _lab_server_kind >/dev/null
    d=$LAB_DIR/server
    mkdir "$d" 2>/dev/null || _lab_die "the lab has a server already"
    if [ "$(_lab_server_kind)" = ejabberd ]; then
        _lab_prepare_ejabberd "$d"
    else
        command -v prosody >/dev/null 2>&1 || _lab_die "'prosody' is missing; run scripts/install-deps"
    fi
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
    _lab_make_certs "$d/tls"
    [ "$(_lab_server_kind)" = ejabberd ] || _lab_write_prosody_conf "$d"
    lab_server_start
    lab_dns_srv both
}

# _lab_server_kind: prints the lab's server, prosody (the default) or
# ejabberd, from LAB_SERVER.
_lab_server_kind() {
    case ${LAB_SERVER:-prosody} in
        prosody) echo prosody ;;
        ejabberd)
            command -v _lab_ejabberd_start >/dev/null 2>&1 ||
                _lab_die "LAB_SERVER=ejabberd needs tests/lab/ejabberd.sh sourced"
            echo ejabberd ;;
        *) _lab_die "LAB_SERVER must be prosody or ejabberd, not '$LAB_SERVER'" ;;
    esac
}

# lab_server_start: starts Prosody (after lab_server_stop) and waits up to 15 s
# until its BOSH port listens.
lab_server_start() {
    local d ns
    _lab_need_init
    if [ "$(_lab_server_kind)" = ejabberd ]; then
        _lab_ejabberd_start
        return
    fi
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
    if [ "$(_lab_server_kind)" = ejabberd ]; then
        _lab_ejabberd_stop
        return
    fi
    d=$LAB_DIR/server
    [ -f "$d/prosody.lpid" ] || return 0
    _lab_stop_pid "$(cat "$d/prosody.lpid")"
    rm -f "$d/prosody.lpid"
}

# lab_server_user JID PASSWORD: creates the account (JID: user@example.org or
# just user). Works whether Prosody runs or not; ejabberd must be running.
lab_server_user() {
    local jid user host d
    jid=${1:-}
    [ $# -eq 2 ] || _lab_die "usage: lab_server_user JID PASSWORD"
    _lab_need_init
    d=$LAB_DIR/server
    _lab_need_server
    case $jid in
        *@*) user=${jid%%@*}; host=${jid#*@} ;;
        *) user=$jid; host=$LAB_XMPP_DOMAIN ;;
    esac
    [ "$host" = "$LAB_XMPP_DOMAIN" ] || _lab_die "the lab server only hosts $LAB_XMPP_DOMAIN, not $host"
    if [ "$(_lab_server_kind)" = ejabberd ]; then
        _lab_ejabberd_user "$user" "$2"
        return
    fi
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

# --- TLS and DNS for c2s ----------------------------------------------------

# _lab_make_certs DIR: the lab CA (ca.crt, exported as $LAB_CA) and two server
# certificates it signs: example.org.crt for $LAB_XMPP_DOMAIN, and
# wrong.example.net.crt for another name (the refusal test).
_lab_make_certs() {
    local n
    mkdir -p "$1"
    command -v openssl >/dev/null 2>&1 || _lab_die "'openssl' is missing; run scripts/install-deps"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj "/CN=pigeon lab CA $LAB_PREFIX" -keyout "$1/ca.key" -out "$1/ca.crt" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
        >>"$1/openssl.log" 2>&1 || _lab_die "cannot make the lab CA" "$1/openssl.log"
    for n in "$LAB_XMPP_DOMAIN" wrong.example.net; do
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$n" \
            -keyout "$1/$n.key" -out "$1/$n.csr" >>"$1/openssl.log" 2>&1 &&
            printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n' "$n" >"$1/$n.ext" &&
            openssl x509 -req -in "$1/$n.csr" -CA "$1/ca.crt" -CAkey "$1/ca.key" \
                -CAcreateserial -days 2 -extfile "$1/$n.ext" -out "$1/$n.crt" \
                >>"$1/openssl.log" 2>&1 ||
            _lab_die "cannot make the certificate for $n" "$1/openssl.log"
    done
    LAB_CA=$1/ca.crt
    export LAB_CA
}

# _lab_need_server: dies unless lab_add_server has run.
_lab_need_server() {
    [ -f "$LAB_DIR/server/prosody.cfg.lua" ] || [ -f "$LAB_DIR/server/ejabberd.yml" ] ||
        _lab_die "no server in this lab (lab_add_server)"
}

# lab_server_cert NAME: the server presents the certificate for NAME from now
# on (example.org, or wrong.example.net for one that names another host);
# restarts the server if it runs.
lab_server_cert() {
    local d
    _lab_need_init
    d=$LAB_DIR/server
    [ -f "$d/tls/${1:-}.crt" ] || _lab_die "no lab certificate for '${1:-}'"
    LAB_SERVER_CERT=$1
    if [ "$(_lab_server_kind)" = ejabberd ]; then
        _lab_write_ejabberd_conf "$d"
    else
        _lab_write_prosody_conf "$d"
    fi
    if [ -f "$d/prosody.lpid" ] || [ -f "$d/ejabberd.lpid" ]; then
        lab_server_stop
        lab_server_start
    fi
}

# lab_server_pid: prints the pid of the running server (to SIGSTOP it...).
lab_server_pid() {
    _lab_need_init
    if [ "$(_lab_server_kind)" = ejabberd ]; then
        cat "$LAB_DIR/server/ejabberd.pid" # the Erlang VM's, written by ejabberd
    else
        cat "$LAB_DIR/server/prosody.lpid"
    fi
}

# lab_dns_srv both|direct|starttls|none|off: (re)starts the lab's DNS server
# in the server namespace (dnsmasq on 169.254.100.1:53). It answers A for
# example.org with the server's address (not with "off") and, as MODE says,
# the SRV records _xmpps-client._tcp (direct TLS, :5223, priority 0) and
# _xmpp-client._tcp (STARTTLS, :5222, priority 10); nothing else, nothing
# forwarded. Hosts see it through lab_resolv_wrapper.
lab_dns_srv() {
    local d ns srv
    _lab_need_init
    d=$LAB_DIR/server
    _lab_need_server
    command -v dnsmasq >/dev/null 2>&1 || _lab_die "'dnsmasq' is missing; run scripts/install-deps"
    if [ -f "$d/dnsmasq.lpid" ]; then
        _lab_stop_pid "$(cat "$d/dnsmasq.lpid")"
        rm -f "$d/dnsmasq.lpid"
    fi
    srv=
    case ${1:-} in
        both|direct) srv="srv-host=_xmpps-client._tcp.$LAB_XMPP_DOMAIN,$LAB_XMPP_DOMAIN,5223,0,10" ;;
        starttls|none|off) ;;
        *) _lab_die "usage: lab_dns_srv both|direct|starttls|none|off" ;;
    esac
    case $1 in
        both|starttls) srv="$srv
srv-host=_xmpp-client._tcp.$LAB_XMPP_DOMAIN,$LAB_XMPP_DOMAIN,5222,10,10" ;;
    esac
    {
        echo "# Written by tests/lab/server.sh: the lab's DNS; it forwards nothing."
        printf '%s\n' no-resolv no-hosts no-poll bind-interfaces user=root log-queries 'local=/#/'
        echo "listen-address=$LAB_SERVER_IP"
        echo "log-facility=$d/dnsmasq.log"
        [ "$1" = off ] || echo "host-record=$LAB_XMPP_DOMAIN,$LAB_SERVER_IP"
        echo "$srv"
    } >"$d/dnsmasq.conf"
    ns=$(_lab_ns server)
    ip netns exec "$ns" dnsmasq --keep-in-foreground --conf-file="$d/dnsmasq.conf" \
        --pid-file="$d/dnsmasq.pid" </dev/null >>"$d/dnsmasq.out" 2>&1 &
    _lab_await_daemon $! "$d/dnsmasq.lpid" 10 "dnsmasq (listening on :53)" "$d/dnsmasq.out" \
        _lab_dns_listens "$ns"
}

_lab_dns_listens() { ip netns exec "$1" ss -Hlun "sport = :53" 2>/dev/null | grep -q .; }

# lab_resolv_wrapper lab|none: prints the path of a command that runs its
# arguments with an /etc/resolv.conf of their own (a bind mount in a private
# mount namespace, as avahi-daemon gets its own /run): "lab" names the lab's
# DNS server, "none" one that is not there (127.0.0.1 in the host's own
# namespace), so that the machine's resolver is never asked.
lab_resolv_wrapper() {
    local w conf
    _lab_need_init
    conf=$LAB_DIR/resolv-${1:-}.conf
    case ${1:-} in
        lab) printf 'nameserver %s\noptions timeout:2 attempts:2\n' "$LAB_SERVER_IP" >"$conf" ;;
        none) printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$conf" ;;
        *) _lab_die "usage: lab_resolv_wrapper lab|none" ;;
    esac
    w=$LAB_DIR/with-resolv-$1
    cat >"$w" <<'EOF'
#!/bin/sh
# Written by tests/lab/server.sh: runs "$@" with $RESOLV as /etc/resolv.conf.
exec unshare -m --propagation private sh -c \
    'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$RESOLV" "$@"
EOF
    sed -i "2a RESOLV='$conf'" "$w"
    chmod 755 "$w"
    echo "$w"
}
