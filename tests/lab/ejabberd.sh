# tests/lab/ejabberd.sh: ejabberd (Debian's package) as the lab's XMPP server,
# chosen with LAB_SERVER=ejabberd. Source it after lab.sh and server.sh:
# lab_add_server, lab_server_start/_stop and lab_server_user (server.sh) come
# here when LAB_SERVER=ejabberd.
#
# The lab's ejabberd owns everything it uses, so that the package's own
# service and other labs never meet it:
# - its config, spool (Mnesia), logs and HOME (the Erlang cookie) are in
#   $LAB_DIR/server;
# - it runs in the server namespace, so its ports are that namespace's;
# - Erlang distribution (how ejabberdctl reaches the node) listens on a fixed
#   port on the namespace's loopback, without epmd (ERL_DIST_PORT): no
#   machine-wide epmd is started, asked or shared, and the node name
#   (pigeonlab<PID>@localhost) is the lab's own;
# - a copy of ejabberdctl with an empty INSTALLUSER runs it as root, as it
#   would otherwise switch to the package's `ejabberd` user.

# The namespace's loopback port of the node's Erlang distribution.
_LAB_EJABBERD_DIST_PORT=5210

_lab_write_ejabberd_conf() {
    cat >"$1/ejabberd.yml" <<EOF
# Written by tests/lab/ejabberd.sh: the lab's XMPP server.
hosts:
  - $LAB_XMPP_DOMAIN
loglevel: ${LAB_EJABBERD_LOGLEVEL:-info}
log_rotate_count: 0
hide_sensitive_log_data: false

# The uplink segment only: BOSH over plain HTTP, c2s with STARTTLS on 5222
# and direct TLS (XEP-0368) on 5223 with the lab CA's certificate; no s2s.
# The host-meta names the BOSH URL the lab uses (it answers only with the
# domain, not an address, in the Host header).
certfiles:
  - "$1/tls/$LAB_SERVER_CERT.crt"
  - "$1/tls/$LAB_SERVER_CERT.key"
listen:
  -
    port: 5280
    ip: "$LAB_SERVER_IP"
    module: ejabberd_http
    request_handlers:
      /http-bind: mod_bosh
      /.well-known/host-meta: mod_host_meta
      /.well-known/host-meta.json: mod_host_meta
  -
    port: 5222
    ip: "$LAB_SERVER_IP"
    module: ejabberd_c2s
    max_stanza_size: 262144
    shaper: c2s_shaper
    access: c2s
    starttls: true
  -
    port: 5223
    ip: "$LAB_SERVER_IP"
    module: ejabberd_c2s
    max_stanza_size: 262144
    shaper: c2s_shaper
    access: c2s
    tls: true
  -
    # For lab_server_user: a registration through ejabberdctl starts an
    # Erlang VM (1.5 to 2 s), one through the API takes milliseconds.
    port: 5281
    ip: "127.0.0.1"
    module: ejabberd_http
    request_handlers:
      /api: mod_http_api

# SCRAM only, so no password crosses the segment even over BOSH's plain
# HTTP; PLAIN stays off as in the Prosody lab.
auth_method: internal
auth_password_format: scram
disable_sasl_mechanisms:
  - PLAIN
  - DIGEST-MD5
  - X-OAUTH2
# Tests register many accounts from one address in a few seconds.
registration_timeout: infinity

acl:
  local:
    user_regexp: ""
  loopback:
    ip:
      - 127.0.0.0/8
api_permissions:
  "console commands":
    from:
      - ejabberd_ctl
    who: all
    what: "*"
  "lab accounts":
    from:
      - mod_http_api
    who:
      acl: loopback
    what:
      - register
      - status
access_rules:
  local:
    allow: local
  c2s:
    allow: all
  register:
    allow: all
  pubsub_createnode:
    allow: local

# As Debian's stock configuration has them.
shaper:
  normal:
    rate: 3000
    burst_size: 20000
  fast: 200000
shaper_rules:
  max_user_sessions: 10
  max_user_offline_messages: 100
  c2s_shaper: normal
  s2s_shaper: fast

modules:
  mod_bosh: {}
  mod_blocking: {}
  mod_caps: {}
  mod_carboncopy: {}
  mod_disco: {}
  mod_host_meta:
    bosh_service_url: "$LAB_BOSH_URL"
  mod_http_api: {}
  mod_last: {}
  mod_mam:
    default: always
  mod_offline:
    access_max_user_messages: max_user_offline_messages
  mod_ping: {}
  mod_privacy: {}
  mod_private: {}
  mod_pubsub:
    access_createnode: pubsub_createnode
    plugins:
      - flat
      - pep
  mod_register:
    access: register
    ip_access: all
  mod_roster:
    versioning: true
  mod_stream_mgmt:
    resend_on_timeout: if_offline
  mod_vcard:
    search: false
  mod_version: {}
EOF
    cat >"$1/ctl.cfg" <<EOF
# Written by tests/lab/ejabberd.sh: read by the lab's copy of ejabberdctl.
ERLANG_NODE=$LAB_PREFIX@localhost
ERL_DIST_PORT=$_LAB_EJABBERD_DIST_PORT
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0 -kernel inet_dist_use_interface {127,0,0,1}"
EJABBERD_PID_PATH=$1/ejabberd.pid
EJABBERD_BYPASS_WARNINGS=true
EOF
}

# _lab_prepare_ejabberd DIR: config, directories, the cookie and the copy of
# ejabberdctl that runs as root.
_lab_prepare_ejabberd() {
    local d
    d=$1
    command -v ejabberdctl >/dev/null 2>&1 || _lab_die "'ejabberdctl' is missing; run scripts/install-deps"
    mkdir -p "$d/spool" "$d/home"
    # How the node resolves names (ejabberdctl points ERL_INETRC here).
    echo '{lookup, ["file", "native"]}.' >"$d/inetrc"
    _lab_write_ejabberd_conf "$d"
    # The node's cookie, the lab's own: nothing else can talk to the node.
    od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$d/home/.erlang.cookie"
    chmod 400 "$d/home/.erlang.cookie"
    sed 's/^INSTALLUSER=.*/INSTALLUSER=/' "$(command -v ejabberdctl)" >"$d/ejabberdctl"
    chmod 755 "$d/ejabberdctl"
    grep -q '^INSTALLUSER=$' "$d/ejabberdctl" || _lab_die "cannot make ejabberdctl run as root"
}

# _lab_ejabberdctl ARGS...: the lab's ejabberdctl in the server namespace,
# with the lab's directories; output appended to ejabberdctl.log.
_lab_ejabberdctl() {
    local d
    d=$LAB_DIR/server
    HOME=$d/home ip netns exec "$(_lab_ns server)" "$d/ejabberdctl" --config-dir "$d" \
        --config "$d/ejabberd.yml" --ctl-config "$d/ctl.cfg" --logs "$d" --spool "$d/spool" \
        "$@" >>"$d/ejabberdctl.log" 2>&1 </dev/null
}

# _lab_ejabberd_start: starts ejabberd and waits up to 30 s until its BOSH
# port listens and the node answers ejabberdctl.
_lab_ejabberd_start() {
    local d
    d=$LAB_DIR/server
    [ -f "$d/ejabberd.yml" ] || _lab_die "no server in this lab (lab_add_server)"
    if [ -f "$d/ejabberd.lpid" ] && _lab_alive "$(cat "$d/ejabberd.lpid")"; then
        _lab_die "ejabberd is running already"
    fi
    rm -f "$d/ejabberd.pid"
    printf '=== ejabberd start %s\n' "$(date '+%H:%M:%S.%N')" >>"$d/ejabberd.out"
    HOME=$d/home ip netns exec "$(_lab_ns server)" "$d/ejabberdctl" --config-dir "$d" \
        --config "$d/ejabberd.yml" --ctl-config "$d/ctl.cfg" --logs "$d" --spool "$d/spool" \
        foreground </dev/null >>"$d/ejabberd.out" 2>&1 &
    _lab_await_daemon $! "$d/ejabberd.lpid" 30 "ejabberd (listening on :5280)" "$d/ejabberd.log" \
        _lab_bosh_listens "$(_lab_ns server)"
}

# _lab_ejabberd_stop: SIGTERM to the Erlang VM (a clean stop; KILL after 3 s),
# then waits for ejabberdctl's shell too.
_lab_ejabberd_stop() {
    local d
    d=$LAB_DIR/server
    [ -f "$d/ejabberd.lpid" ] || return 0
    [ -f "$d/ejabberd.pid" ] && _lab_stop_pid "$(cat "$d/ejabberd.pid")"
    _lab_stop_pid "$(cat "$d/ejabberd.lpid")"
    rm -f "$d/ejabberd.lpid" "$d/ejabberd.pid"
}

# _lab_json_text TEXT: TEXT escaped for a JSON string (backslash and quote;
# account names and passwords have no control characters).
_lab_json_text() { printf '%s' "$1" | sed 's/[\\"]/\\&/g'; }

# _lab_ejabberd_user USER PASSWORD: registers USER@$LAB_XMPP_DOMAIN through
# the API on the server's loopback; the server must be running.
_lab_ejabberd_user() {
    local d
    d=$LAB_DIR/server
    [ -f "$d/ejabberd.lpid" ] || _lab_die "ejabberd is not running: cannot register $1"
    printf '=== register %s@%s\n' "$1" "$LAB_XMPP_DOMAIN" >>"$d/api.log"
    printf '{"user": "%s", "host": "%s", "password": "%s"}' "$(_lab_json_text "$1")" \
        "$LAB_XMPP_DOMAIN" "$(_lab_json_text "$2")" |
        ip netns exec "$(_lab_ns server)" curl -sS -f -m 10 -H 'Content-Type: application/json' \
            --data-binary @- http://127.0.0.1:5281/api/register >>"$d/api.log" 2>&1 ||
        _lab_die "registering $1@$LAB_XMPP_DOMAIN with ejabberd's API failed" "$d/api.log"
    echo >>"$d/api.log"
}
