#!/bin/bash
# Interop with a deployed XEP-0174 client: libpurple's Bonjour plugin, the
# code Pidgin and Finch run (tests/tools/PurpleBonjour drives it without a UI).
# pigeond lists it as chat-only, a message sent to it is displayed, and what
# it sends lands in pigeond's inbox.
#
# libpurple accepts a connection only from an address it resolved for a
# buddy. Elaine's routing prefers a source address that her avahi-daemon does
# not announce (as a VPN address on another interface would be), so this passes only if
# pigeond dials from the address it advertises on the link.
. "$(dirname "$0")/lib.sh"
: "${PURPLE_BONJOUR:?PURPLE_BONJOUR must point at tests/tools/PurpleBonjour}"

lab_add_host elaine
lab_add_host newman
lab_wait_avahi elaine newman

# Elaine speaks IPv4 only on the mesh (on IPv6 the kernel would pick her
# announced link-local address anyway), has an unannounced address (on lo,
# which avahi never announces) and a route to the mesh preferring it as source.
elaine_ns=$(_lab_ns elaine)
ip netns exec "$elaine_ns" sysctl -q -w net.ipv6.conf.mesh0.disable_ipv6=1
vpn_ip=169.254.250.$(_lab_index elaine)
ip -n "$elaine_ns" addr add "$vpn_ip/32" dev lo
ip -n "$elaine_ns" route replace "$LAB_MESH_NET.0/24" dev mesh0 src "$vpn_ip"
lab_exec elaine ip route get "$(lab_ip newman)" | grep -q "src $vpn_ip" ||
    fail "the kernel would not pick the unannounced source address"

node_start elaine

mkfifo "$LAB_DIR/newman.commands"
mkdir -m 700 "$LAB_DIR/purple"
lab_spawn newman "$LAB_DIR/purple.err" \
    sh -c 'exec "$0" "$@" >"$1/../purple.out"' \
    "$PURPLE_BONJOUR" "$LAB_DIR/purple" newman@newman "$LAB_DIR/newman.commands" >/dev/null
purple_says() { grep -qF -- "$1" "$LAB_DIR/purple.out"; }
purple_do() { echo "$*" >"$LAB_DIR/newman.commands"; }

wait_for "newman's client signs on" 20 purple_says "signed-on"
wait_for "elaine sees newman as chat-only" 30 json_true elaine \
    "any(p['instance'] == 'newman@newman' and p['kind'] == 'chat-only' for p in j)" peers
wait_for "newman's client sees elaine" 30 purple_says "buddy elaine@elaine"

node_ctl elaine send newman@newman "Hello Newman" >/dev/null
wait_for "newman's client shows elaine's message" 30 purple_says "recv elaine@elaine Hello Newman"
wait_for "elaine's outbox shows it sent" 10 json_true elaine \
    "len(j) == 1 and j[0]['state'] == 'sent' and j[0]['carriers'] == 0" outbox
grep -q "newman@newman: connected (" "$LAB_DIR/node-elaine/pigeond.log" ||
    fail "elaine did not dial newman"

purple_do send elaine@elaine "Hello Elaine, from Newman"
wait_for "newman's client sends" 10 purple_says "sent elaine@elaine"
wait_for "newman's message lands in elaine's inbox" 30 json_true elaine \
    "any(m['from'] == 'newman@newman' and m['body'] == 'Hello Elaine, from Newman' for m in j)" inbox

# A second round after the link went idle: this time newman's client dials
# elaine, who recognises it by its source address, and both ways still work.
wait_for "the idle stream closes" 20 grep -q "newman@newman: closed" "$LAB_DIR/node-elaine/pigeond.log"
purple_do send elaine@elaine "Knock knock"
wait_for "newman's second message lands in elaine's inbox" 30 json_true elaine \
    "any(m['from'] == 'newman@newman' and m['body'] == 'Knock knock' for m in j)" inbox
grep -q "newman@newman: open (inbound" "$LAB_DIR/node-elaine/pigeond.log" ||
    fail "newman's client did not dial elaine: $(grep newman@newman "$LAB_DIR/node-elaine/pigeond.log")"
node_ctl elaine send newman@newman "Who's there?" >/dev/null
wait_for "newman's client shows the answer" 30 purple_says "recv elaine@elaine Who's there?"

! grep -q "^error" "$LAB_DIR/purple.out" || fail "newman's client: $(grep '^error' "$LAB_DIR/purple.out")"
purple_do quit
echo "ok"
