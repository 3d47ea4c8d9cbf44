# A scripted neighbour that speaks the carry protocol (doc/carry-protocol.md)
# to a pigeon: it identifies as ME (an instance a real pigeond announces from
# this host, so that the carrier finds it at its address) and hands THEM
# items from ORIGIN (unsigned: forged, if the carrier knew the origin's key),
# BATCH per request, each with a body of BODY bytes (or TEXT) and an
# expiry between one and two hours ahead in a shuffled order, until COUNT
# items were offered or, with --until-refused, a request is refused whole.
# Prints one JSON object: every item offered (id, expires, status,
# condition) and the whole-request refusals (type, condition).
import argparse, json, random, re, socket, sys, time
from stream_reader import StreamReader

p = argparse.ArgumentParser()
p.add_argument("host"); p.add_argument("me"); p.add_argument("them")
p.add_argument("--origin", default="newman@example.org")
p.add_argument("--count", type=int, default=100)
p.add_argument("--batch", type=int, default=3)
p.add_argument("--body", type=int, default=1000)
p.add_argument("--prefix", default="flood")
p.add_argument("--until-refused", action="store_true")
p.add_argument("--ids", help="comma-separated origin-ids to use (and offer only these)")
p.add_argument("--text", help="the body, instead of BODY bytes of x")
p.add_argument("--at", type=int, help="the send time (ms since the epoch) instead of now: "
               "the same arguments then make the same bytes")
a = p.parse_args()
ids = a.ids.split(",") if a.ids else None
if ids:
    a.count = len(ids)


def stamp(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + ".%03dZ" % (ms % 1000)


def item(origin_id, expires_ms, now_ms):
    body = a.text if a.text is not None else "x" * a.body
    return (f"<item expires='{stamp(expires_ms)}' copies='1'>"
            f"<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='{stamp(now_ms)}'/>"
            f"<message xmlns='jabber:client' from='{a.origin}' to='jerry@example.org' type='chat' "
            f"id='{origin_id}'><body>{body}</body><origin-id xmlns='urn:xmpp:sid:0' id='{origin_id}'/>"
            f"</message></forwarded></item>")


s = socket.create_connection((a.host, 5298), timeout=20)
s.sendall((f"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
           f"xmlns:stream='http://etherx.jabber.org/streams' version='1.0' "
           f"from='{a.me}' to='{a.them}'>").encode())
read_until = StreamReader(s).read_until

read_until(r"<stream:stream[^>]*>")
now = a.at or int(time.time() * 1000)
minutes = list(range(a.count))
random.Random(7).shuffle(minutes)
items, refusals, n = [], [], 0
while n < a.count:
    chunk = []
    for _ in range(min(a.batch, a.count - n)):
        origin_id = ids[n] if ids else f"{a.prefix}-{n}"
        expires = now + 3600_000 + minutes[n] * 60_000
        chunk.append({"id": origin_id, "expires": expires})
        n += 1
    iq_id = f"c{n}"
    s.sendall((f"<iq type='set' id='{iq_id}'><carry xmlns='urn:xmpp:pigeon:0'>"
               + "".join(item(c["id"], c["expires"], now) for c in chunk)
               + "</carry></iq>").encode())
    reply = read_until(r"<iq[^>]*id=['\"]" + iq_id + r"['\"][^>]*(/>|>.*?</iq>)").group(0)
    if "type='error'" in reply or 'type="error"' in reply:
        kind = re.search(r"<error[^>]*type=['\"](\w+)", reply)
        cond = re.search(r"<([a-z-]+) xmlns=['\"]urn:ietf:params:xml:ns:xmpp-stanzas", reply)
        refusals.append({"type": kind and kind.group(1), "condition": cond and cond.group(1)})
        for c in chunk:
            items.append(dict(c, status="refused-whole"))
        if a.until_refused:
            break
        continue
    for c in chunk:
        m = re.search(r"<item[^>]*id=['\"]" + re.escape(c["id"]) + r"['\"][^>]*>", reply)
        status = re.search(r"status=['\"](\w+)", m.group(0)).group(1) if m else "missing"
        cond = re.search(r"condition=['\"]([\w-]+)", m.group(0)) if m else None
        items.append(dict(c, status=status, condition=cond and cond.group(1)))
s.sendall(b"</stream:stream>")
s.close()
print(json.dumps({"items": items, "refusals": refusals}))
