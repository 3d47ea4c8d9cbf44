# A scripted pigeon of before summary vectors, as a responder: it listens on
# PORT (announced by avahi-publish as NAME, a carrier without a TLS pin),
# takes the stream a carrier opens, and answers its <summary/> with
# service-unavailable as an older pigeon does ("error"), or not at all
# ("silent"). It answers each carry request with an empty result and, once
# ITEMS items were offered, prints one JSON object: when the summary came,
# when the first carry request came (seconds, monotonic), and how many items.
import argparse, json, re, socket, sys, time
from stream_reader import StreamReader

p = argparse.ArgumentParser()
p.add_argument("port", type=int); p.add_argument("name")
p.add_argument("mode", choices=["error", "silent"])
p.add_argument("items", type=int)
a = p.parse_args()

listener = socket.create_server(("::", a.port), family=socket.AF_INET6, dualstack_ipv6=True)
listener.settimeout(30)
s, _ = listener.accept()
s.settimeout(30)
read_until = StreamReader(s).read_until

header = read_until(r"<stream:stream[^>]*>").group(0)
them = re.search(r"from=['\"]([^'\"]+)", header)[1]
s.sendall((f"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
           f"xmlns:stream='http://etherx.jabber.org/streams' version='1.0' "
           f"from='{a.name}' to='{them}'><stream:features/>").encode())
summary_at = carry_at = None
items = 0
while items < a.items:
    iq = read_until(r"<iq\b[^>]*?(/>|>.*?</iq>)").group(0)
    iq_id = re.search(r"id=['\"]([^'\"]+)", iq)[1]
    if "<summary" in iq:
        summary_at = time.monotonic()
        if a.mode == "error":
            s.sendall((f"<iq type='error' id='{iq_id}' to='{them}'><error type='cancel'>"
                       "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                       "</error></iq>").encode())
    elif "<carry" in iq:
        carry_at = carry_at or time.monotonic()
        items += len(re.findall(r"<item\b", iq))
        s.sendall(f"<iq type='result' id='{iq_id}'><carried xmlns='urn:xmpp:pigeon:0'/></iq>".encode())
    elif "type='set'" in iq or 'type="set"' in iq:
        s.sendall((f"<iq type='error' id='{iq_id}'><error type='cancel'><service-unavailable "
                   "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>").encode())
print(json.dumps({"summary_at": summary_at, "carry_at": carry_at, "items": items}))
