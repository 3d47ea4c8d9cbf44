#!/bin/bash
# Plain chat with an ordinary XEP-0174 client (no pigeon capabilities): it is
# listed as chat-only, our message reaches it as a type='chat' <body>, its
# reply lands in our inbox, and our presence status change shows in our TXT.
. "$(dirname "$0")/lib.sh"

lab_add_host elaine
lab_add_host bania
lab_wait_avahi elaine bania
node_start elaine --account elaine@example.org
# Bania runs a chat client: announced by avahi-publish, speaking XEP-0174 on 5298.
lab_spawn bania "$LAB_DIR/publish.log" avahi-publish -s "bania@bania" _presence._tcp 5298 \
    txtvers=1 port.p2pj=5298 status=avail 1st=Kenny >/dev/null
cat >"$LAB_DIR/client.py" <<'PY'
import re, socket, sys
me, peer_host = "bania@bania", sys.argv[1]
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("0.0.0.0", 5298)); listener.listen(1)
print("listening", flush=True)
conn, _ = listener.accept()
def read_until(marker, data=b""):
    while marker not in data:
        chunk = conn.recv(65536)
        if not chunk: sys.exit("closed before " + marker.decode())
        data += chunk
    return data
data = read_until(b">", read_until(b"<stream:stream"))
peer = re.search(r"<stream:stream[^>]*from=['\"]([^'\"]+)['\"]", data.decode()).group(1)
conn.sendall(("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
              "xmlns:stream='http://etherx.jabber.org/streams' from='%s' to='%s' version='1.0'>"
              "<stream:features/>" % (me, peer)).encode())
text = read_until(b"</body>", data).decode()
body = re.search(r"<message[^>]*type=['\"]chat['\"][^>]*>.*?<body>(.*?)</body>", text, re.S).group(1)
print("got:", body, flush=True)
conn.sendall(("<message to='%s' type='chat' id='b1'><body>Hello Elaine &amp; welcome</body></message>"
              % peer).encode())
conn.settimeout(10)
try:
    while conn.recv(65536): pass
except socket.timeout:
    pass
PY
lab_spawn bania "$LAB_DIR/client.log" python3 -u "$LAB_DIR/client.py" "$(lab_ip elaine)" >/dev/null
wait_for "bania's client listens" 10 grep -q listening "$LAB_DIR/client.log"

wait_for "elaine sees bania" 30 json_true elaine \
    "any(p['instance'] == 'bania@bania' and p['kind'] == 'chat-only' for p in j)" peers
node_ctl elaine send bania@bania "Hello Bania" >/dev/null
wait_for "bania's client shows the message" 30 grep -q "got: Hello Bania" "$LAB_DIR/client.log"
wait_for "the reply lands in elaine's inbox" 30 json_true elaine \
    "len(j) == 1 and j[0]['from'] == 'bania@bania' and j[0]['body'] == 'Hello Elaine & welcome'" inbox
expect elaine "j[0]['state'] == 'sent' and j[0]['carriers'] == 0" outbox

# Our status goes out in our TXT record, updated in place.
node_ctl elaine presence away >/dev/null
bania_sees_away() {
    lab_exec bania timeout 3 avahi-browse -rtp _presence._tcp 2>/dev/null |
        grep -F 'elaine\064elaine' | grep '^=' | grep -q '"status=away"' # -p escapes @
}
wait_for "bania sees elaine away" 30 bania_sees_away
echo "ok"
