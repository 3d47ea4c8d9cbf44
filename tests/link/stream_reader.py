"""What the scripted XMPP peers of the link tests (carry_peer.py, old_peer.py)
share: reading a socket up to the next match of a pattern."""
import re
import sys


class StreamReader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = ""

    def read_until(self, pattern):
        """The next match of `pattern` (re.S), once enough has arrived; what
        lay before it is dropped. Exits the script if the stream closes."""
        while True:
            m = re.search(pattern, self.buf, re.S)
            if m:
                self.buf = self.buf[m.end():]
                return m
            chunk = self.sock.recv(65536)
            if not chunk:
                sys.exit("stream closed: " + self.buf[-300:])
            self.buf += chunk.decode(errors="replace")
