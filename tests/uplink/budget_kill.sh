#!/bin/bash
# Copy budgets survive `kill -9` of a carrier between its commit and its
# acknowledgement (issue 11): the carrier stored the copy, with its budget,
# but Elaine never heard so and offers it again when the carrier is back.
# The carrier must then hold it once (one row, one budget), and Elaine count
# it as given once: what both hold still adds up to L = 8. Elaine knows
# Jerry's key, so each offer is sealed afresh: the two offers differ in every
# byte, and only knowing the copy's giver tells they are one copy.
. "$(dirname "$0")/lib.sh"

for h in elaine kramer jerry; do lab_add_host "$h"; done
lab_wait_avahi
recipient_across_town
# Long idle timeouts: the stream of the first handoff stays open for the second.
account_node elaine --copies 8 --link-idle 60
been_online elaine jerry@example.org
node_start kramer --link-idle 60

db() { # HOST SQL: what HOST's store says, read beside its running pigeond
    sqlite3 -cmd '.timeout 5000' "$LAB_DIR/node-$1/data/pigeon/pigeon.db" "$2"
}
# ID: kramer's rows of it and their budgets, then what Elaine gave away (the
# budgets on her handoffs of it, schema 20, and any given before that).
copies_of() {
    echo "$(db kramer "SELECT count(*), coalesce(sum(copies), 0) FROM carried WHERE origin_id = '$1'")" \
        "$(db elaine "SELECT copies_given + (SELECT coalesce(sum(copies), 0) FROM handoffs \
            WHERE outbox_id = outbox.id) FROM outbox WHERE origin_id = '$1'")"
}

first=$(node_ctl elaine send jerry@example.org "first")
wait_for "kramer carries the first" 30 json_true elaine "j[0]['carriers'] == 1" outbox
expect elaine "any(p['instance'] == 'kramer@kramer' and p['connected'] for p in j)" peers

# From now on nothing kramer sends leaves its host: it takes the second
# message, commits it, and its answer is lost; then it dies.
lab_exec kramer tc qdisc add dev mesh0 root blackhole
second=$(node_ctl elaine send jerry@example.org "second")
committed() { [ "$(db kramer "SELECT count(*) FROM carried WHERE origin_id = '$second'")" -eq 1 ]; }
wait_for "kramer committed the second" 20 committed
node_kill kramer KILL
# Its kernel would still send the answer once the link is back (the socket
# outlives the process): the socket goes too, as in a crash of the phone.
lab_exec kramer ss -K -t -a >/dev/null
[ -z "$(lab_exec kramer ss -H -t -a)" ] || fail "kramer's sockets outlived it: $(lab_exec kramer ss -t -a)"
lab_exec kramer tc qdisc del dev mesh0 root
[ "$(copies_of "$second")" = "1|4 0" ] || fail "after the kill: $(copies_of "$second")"
expect elaine "[m['carriers'] for m in j] == [1, 0]" outbox

node_start kramer --link-idle 60
wait_for "elaine hands the second to kramer again" 60 json_true elaine \
    "[m['carriers'] for m in j] == [1, 1]" outbox
# One copy at kramer, with the half of the budget Elaine now counts as given.
[ "$(copies_of "$second")" = "1|4 4" ] || fail "after the restart: $(copies_of "$second")"
[ "$(copies_of "$first")" = "1|4 4" ] || fail "the first: $(copies_of "$first")"
expect kramer "sorted(m['id'] for m in j) == sorted(['$first', '$second'])" carrying
expect kramer "j['counters']['carried_for_others'] == 2" status
echo "ok"
