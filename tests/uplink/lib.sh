# Helpers for tests through a real XMPP server: the link-local lab plus the
# lab's server (LAB_SERVER: prosody, the default, or ejabberd), accounts with
# password files, and a pigeond per host.
. "$(dirname "$0")/../link/lib.sh"
. "$(dirname "$0")/../lab/server.sh"
. "$(dirname "$0")/../lab/ejabberd.sh"
lab_add_server

# PIGEON_TRANSPORT (c2s, bosh or auto) is how account_start's daemons reach the
# server; unset, BOSH as the uplink tests were written for. Daemons that may
# use c2s find the server through the lab's DNS and trust the lab's CA; with
# BOSH they ask a DNS server that is not there (never the machine's), so that
# a daemon started with the default transport (auto) still goes the BOSH way.
case ${PIGEON_TRANSPORT:-bosh} in
    bosh) NODE_WRAP=$(lab_resolv_wrapper none) ;;
    *) NODE_WRAP=$(lab_resolv_wrapper lab) ;;
esac

# account_user HOST: creates HOST@example.org on the server, with the
# password secret-HOST, also in the 0600 file $LAB_DIR/node-HOST/password.
account_user() {
    lab_server_user "$1@example.org" "secret-$1"
    mkdir -p "$LAB_DIR/node-$1"
    printf 'secret-%s\n' "$1" >"$LAB_DIR/node-$1/password"
    chmod 600 "$LAB_DIR/node-$1/password"
}

# account_node HOST [PIGEOND ARGS...]: creates HOST@example.org on the server
# and starts HOST's pigeond logged in as it (uplink only once lab_uplink HOST up).
account_node() {
    account_user "$1"
    account_start "$@"
}

# account_start HOST [PIGEOND ARGS...]: (re)starts HOST's pigeond, logged in
# as HOST@example.org, an account account_node made.
account_start() {
    host=$1; shift
    node_start "$host" --account "$host@example.org" --bosh-url "$LAB_BOSH_URL" \
        --transport "${PIGEON_TRANSPORT:-bosh}" --tls-ca-file "$LAB_CA" \
        --password-file "$LAB_DIR/node-$host/password" --probe-interval-max 5 "$@"
}

# inbox_has HOST BODY: HOST's inbox holds a message with that body.
inbox_has() {
    json_true "$1" "any(m['body'] == '$2' for m in j)" inbox
}

inbox_count() { # HOST ID: how many inbox entries have that id
    node_ctl "$1" inbox --json | python3 -c \
        'import json,sys; print(sum(1 for m in json.load(sys.stdin) if m["id"] == sys.argv[1]))' "$2"
}

# inbox_summary HOST: "N D" - inbox entries and distinct (from, id) pairs.
inbox_summary() {
    node_ctl "$1" inbox --json | python3 -c \
        'import json,sys; j=json.load(sys.stdin); print(len(j), len({(m["from"], m["id"]) for m in j}))'
}

# recipient_across_town: Jerry, the recipient, is not in the subway: no
# link-local presence, an uplink, logged in before the story starts.
# subway_cast [ELAINE'S PIGEOND ARGS...]: Elaine and Kramer side by side with
# no uplink, both with accounts; Jerry across town, online.
subway_cast() {
    offline_cast "$@"
    jerry_online
}

# offline_cast [ELAINE'S PIGEOND ARGS...]: the same, but nobody has an uplink
# yet (Jerry has no link-local presence either).
offline_cast() {
    lab_add_host elaine
    lab_add_host kramer
    lab_add_host jerry
    lab_wait_avahi elaine kramer jerry
    account_node elaine "$@"
    account_node kramer
    account_node jerry --link-local no
}

# been_online HOST [CONTACT...]: HOST's uplink comes up long enough to publish
# its key and learn its contacts' keys, then goes down again: a user who set
# pigeon up at home before taking the subway.
been_online() {
    host=$1; shift
    lab_uplink "$host" up
    wait_for "$host publishes its key" 30 json_true "$host" \
        "j['connectivity']['key_published']" status
    for contact in "$@"; do
        node_ctl "$host" contacts add "$contact" >/dev/null
        wait_for "$host learns the key of $contact" 30 json_true "$host" \
            "any(c['jid'] == '$contact' and c['key'] for c in j)" contacts
    done
    lab_uplink "$host" down
    wait_for "$host is offline" 30 json_true "$host" "j['connectivity']['state'] == 'offline'" status
}

# met_at_home A B: A and B, both with accounts, come online together, publish
# their keys and learn each other's, then lose their uplinks again: two
# people who set pigeon up at home before taking the subway.
met_at_home() {
    lab_uplink "$1" up
    lab_uplink "$2" up
    for h in "$1" "$2"; do
        wait_for "$h publishes its key" 30 json_true "$h" "j['connectivity']['key_published']" status
    done
    node_ctl "$1" contacts add "$2@example.org" >/dev/null
    node_ctl "$2" contacts add "$1@example.org" >/dev/null
    wait_for "$1 knows the key of $2" 30 json_true "$1" "all(c['key'] for c in j)" contacts
    wait_for "$2 knows the key of $1" 30 json_true "$2" "all(c['key'] for c in j)" contacts
    lab_uplink "$1" down
    lab_uplink "$2" down
    for h in "$1" "$2"; do
        wait_for "$h is offline" 30 json_true "$h" "j['connectivity']['state'] == 'offline'" status
    done
}

recipient_across_town() {
    account_node jerry --link-local no
    jerry_online
}

# jerry_online: Jerry's uplink comes up; returns once he is logged in.
jerry_online() {
    lab_uplink jerry up
    wait_for "jerry is online" 30 json_true jerry "j['connectivity']['session'] == 'online'" status
}
