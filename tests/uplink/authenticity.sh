#!/bin/bash
# Carriers cannot read, change or forge what they carry: Jerry keeps a carried
# message only with Elaine's signature, checked with the key her server
# publishes; one he cannot check yet waits as "unverified"; what Kramer
# tampers with or makes up is refused, and nothing genuine is lost.
. "$(dirname "$0")/lib.sh"

subway_cast

echo "# an origin that was never online: unverified until it is"
first=$(node_ctl elaine send jerry@example.org "first words")
wait_for "kramer carries it" 30 json_true elaine "j[0]['carriers'] == 1" outbox
lab_uplink kramer up
wait_for "jerry receives it" 60 json_true jerry "len(j) == 1" inbox
expect jerry "j[0]['id'] == '$first' and j[0]['authenticity'] == 'unverified'" inbox
expect jerry "j[0]['body'] == 'first words'" inbox
wait_for "kramer uploaded it" 30 json_true kramer "j == []" carrying
lab_uplink kramer down
lab_uplink elaine up
wait_for "elaine sees it delivered" 60 json_true elaine "j[0]['state'] == 'delivered'" outbox
expect jerry "len(j) == 1 and j[0]['authenticity'] in ('signed', 'server')" inbox
wait_for "elaine publishes her key" 30 json_true elaine "j['connectivity']['key_published']" status
lab_uplink elaine down
wait_for "elaine is offline" 30 json_true elaine "j['connectivity']['state'] == 'offline'" status
wait_for "kramer is offline" 30 json_true kramer "j['connectivity']['state'] == 'offline'" status

echo "# what kramer changes or makes up is refused"
second=$(node_ctl elaine send jerry@example.org "meet at five")
wait_for "kramer carries it" 30 json_true elaine "any(m['id'] == '$second' and m['carriers'] == 1 for m in j)" outbox
# Elaine learnt Jerry's key when she sent to him: the copy is sealed.
! grep -r -q -a "meet at five" "$LAB_DIR/node-kramer/data" ||
    fail "kramer's store holds the message in clear"
node_kill kramer
python3 - "$LAB_DIR/node-kramer/data/pigeon/pigeon.db" "$second" <<'PY'
import re, sqlite3, sys, uuid
db = sqlite3.connect(sys.argv[1], isolation_level=None)
payload, sent, received, expires = db.execute(
    "SELECT payload, sent, received, expires FROM carried WHERE origin_id = ?",
    (sys.argv[2],)).fetchone()
# One character of the sealed body changed.
match = re.search(r"<sealed[^>]*>([A-Za-z0-9+/=]+)<", payload)
assert match, payload
text = match.group(1)
flipped = text[:10] + ("A" if text[10] != "A" else "B") + text[11:]
db.execute("UPDATE carried SET payload = ? WHERE origin_id = ?",
           (payload.replace(text, flipped), sys.argv[2]))
# Two messages made up in Elaine's name: one unsigned, one with a bogus signature.
def forged(body, extra):
    oid = str(uuid.uuid4())
    stamp = "2026-11-22T09:00:00.000Z"
    xml = ("<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='%s'/>"
           "<message xmlns='jabber:client' from='elaine@example.org' to='jerry@example.org' "
           "type='chat' id='%s'><body>%s</body><request xmlns='urn:xmpp:receipts'/>"
           "<origin-id xmlns='urn:xmpp:sid:0' id='%s'/>%s</message></forwarded>"
           % (stamp, oid, body, oid, extra))
    db.execute("INSERT INTO carried (origin, origin_id, recipient, from_peer, sent, received, "
               "expires, payload) VALUES ('elaine@example.org', ?, 'jerry@example.org', "
               "'elaine@elaine', ?, ?, ?, ?)", (oid, sent, received, expires, xml))
    # What AddCarried keeps up to date (schema 12): a copy of 0 bytes, as its row says.
    for kind, name in (("peer", "elaine@elaine"), ("origin", "elaine@example.org")):
        db.execute("INSERT INTO carried_load VALUES (?, ?, 1, 0) ON CONFLICT DO UPDATE SET "
                   "messages = messages + 1", (kind, name))
forged("send money to kramer", "")
forged("kramer is great", "<signature xmlns='urn:xmpp:pigeon:0'>" + "QUFB" * 22 + "</signature>")
PY
account_start kramer
lab_uplink kramer up
wait_for "kramer uploads all three" 60 json_true kramer "j == []" carrying
wait_for "jerry refuses all three" 30 json_true jerry "j['counters']['forged_refused'] == 3" status
expect jerry "[m['id'] for m in j] == ['$first']" inbox
expect jerry "j == []" search money

echo "# the genuine message still arrives"
lab_uplink elaine up
wait_for "jerry gets elaine's own copy" 60 json_true jerry \
    "any(m['id'] == '$second' and m['body'] == 'meet at five' and m['authenticity'] == 'server' for m in j)" inbox
wait_for "elaine sees it delivered" 60 json_true elaine "all(m['state'] == 'delivered' for m in j)" outbox

echo "# a new key (Elaine reinstalled) is taken, and said"
old_key=$(node_ctl elaine status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["identity"])')
node_kill elaine
rm "$LAB_DIR/node-elaine/data/pigeon/identity"
account_start elaine
wait_for "elaine publishes her new key" 30 json_true elaine "j['connectivity']['key_published']" status
expect elaine "j['identity'] != '$old_key'" status
node_ctl elaine send jerry@example.org "new phone" >/dev/null
wait_for "jerry gets it" 60 json_true jerry "any(m['body'] == 'new phone' for m in j)" inbox
grep -q "the key of elaine@example.org changed from $old_key to " "$LAB_DIR/node-jerry/pigeond.log" ||
    fail "jerry did not say that elaine's key changed"
echo "ok"
