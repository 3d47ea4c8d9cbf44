# A scripted neighbour that identifies as ME (an instance a real pigeond
# announces from this host, with its TLS pin) and then either talks plain
# ("plain": a downgrade) or does STARTTLS showing a key of its own
# ("--cert/--key": not the one the pin names). Exits 0 once the pigeon has
# closed the stream on it without ever opening a stream under TLS, 1 if it
# was served, 2 if the exchange went otherwise.
import argparse, re, socket, ssl, sys

p = argparse.ArgumentParser()
p.add_argument("host"); p.add_argument("me"); p.add_argument("them")
p.add_argument("mode", choices=["plain", "tls"])
p.add_argument("--cert"); p.add_argument("--key")
a = p.parse_args()

HEADER = (f"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
          f"xmlns:stream='http://etherx.jabber.org/streams' version='1.0' "
          f"from='{a.me}' to='{a.them}'>").encode()


def read_until(sock, buf, pattern):
    """More bytes until PATTERN; None if the stream ends first."""
    while not re.search(pattern, buf, re.S):
        try:
            chunk = sock.recv(65536)
        except (ConnectionError, ssl.SSLError, OSError):
            return None
        if not chunk:
            return None
        buf += chunk
    return buf


s = socket.create_connection((a.host, 5298), timeout=10)
s.sendall(HEADER)
got = read_until(s, b"", rb"</stream:features>|<stream:features/>")
if got is None or b"urn:ietf:params:xml:ns:xmpp-tls" not in got:
    sys.exit(f"no STARTTLS offered: {got!r}")
if a.mode == "plain":
    s.sendall(f"<message to='{a.them}' type='chat'><body>in clear</body></message>".encode())
    got = read_until(s, b"", rb"<stream:stream ")
    sys.exit(0 if got is None else 1)
s.sendall(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
if read_until(s, b"", rb"<proceed") is None:
    sys.exit("no <proceed/>")
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
context.load_cert_chain(a.cert, a.key)
try:
    t = context.wrap_socket(s)
    t.sendall(HEADER)  # in TLS 1.3 the server checks our certificate after our side is done
except (ssl.SSLError, OSError):
    sys.exit(0)
sys.exit(0 if read_until(t, b"", rb"<stream:stream ") is None else 1)
