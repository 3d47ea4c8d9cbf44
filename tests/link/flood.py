# Holds COUNT connections open to a TCP host:port or a Unix socket for
# SECONDS, each sending one byte every 20 s; one that the daemon closed or
# reset is opened again at its next turn. Prints how many were opened in all.
import resource, socket, sys, time

target, count, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
resource.setrlimit(resource.RLIMIT_NOFILE, (count + 64, count + 64))


def connect():
    try:
        if target.startswith("/"):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(0.5)
            s.connect(target)
        else:
            host, port = target.rsplit(":", 1)
            s = socket.create_connection((host, int(port)), timeout=0.5)
        return s
    except OSError:
        return None


def alive(s):
    try:
        s.send(b" ")
        return True
    except OSError:
        s.close()
        return False


opened = 0
socks = []
for _ in range(count):
    socks.append(connect())
    opened += 1
end = time.time() + seconds
turn = 0
while time.time() < end:
    time.sleep(1)
    turn += 1
    for i, s in enumerate(socks):
        if i % 20 != turn % 20:
            continue
        if s is None or not alive(s):
            socks[i] = connect()
            opened += 1
print("opened", opened, flush=True)
