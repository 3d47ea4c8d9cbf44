#!/usr/bin/env python3
"""Seeds a stopped pigeond's store with carried copies and tombstones that
another carrier holds too, as if the two had met before: the same messages
(same origin and origin-id) with a budget to hand on, from an origin neither
is. One transaction, straight into the tables (schema 13).

    seed_shared.py DB --messages N [--first I] [--tombstones M]
"""
import argparse
import sqlite3
import time

ORIGIN = "elaine@example.org"
ORIGIN_INSTANCE = "elaine@laptop"
FAR = 10 * 24 * 3600 * 1000

PAYLOAD = ("<forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' "
           "stamp='2026-12-06T18:00:00.000Z'/><message xmlns='jabber:client' "
           "from='elaine@example.org' to='jerry@example.org' type='chat' id='{id}'>"
           "<body>shared message {id}: {pad}</body><request xmlns='urn:xmpp:receipts'/>"
           "<origin-id xmlns='urn:xmpp:sid:0' id='{id}'/></message></forwarded>")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--messages", type=int, required=True)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--tombstones", type=int, default=0)
    args = parser.parse_args()
    now = int(time.time() * 1000)
    db = sqlite3.connect(args.db, isolation_level=None, timeout=30)
    db.execute("BEGIN IMMEDIATE")
    total = 0
    for i in range(args.first, args.first + args.messages):
        mid = f"shared-{i:06d}"
        payload = PAYLOAD.format(id=mid, pad="x" * 100)
        size = len(payload.encode())
        total += size
        db.execute("INSERT INTO carried (origin, origin_id, recipient, from_peer, sent, received, "
                   "expires, payload, bytes, digest, copies, path) "
                   "VALUES (?, ?, 'jerry@example.org', ?, ?, ?, ?, ?, ?, '', 4, ?)",
                   (ORIGIN, mid, ORIGIN_INSTANCE, now - 60000, now, now + FAR, payload, size,
                    ORIGIN_INSTANCE))
    # What AddCarried keeps up to date for the quotas (schema 12).
    for kind, name in (("peer", ORIGIN_INSTANCE), ("origin", ORIGIN)):
        db.execute("INSERT INTO carried_load VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
                   "messages = messages + excluded.messages, bytes = bytes + excluded.bytes",
                   (kind, name, args.messages, total))
    for i in range(args.tombstones):
        db.execute("INSERT OR IGNORE INTO tombstones (origin, origin_id, recipient, until, learned) "
                   "VALUES (?, ?, 'jerry@example.org', ?, ?)",
                   (ORIGIN, f"gone-{i:06d}", now + FAR, now))
    db.execute("COMMIT")


main()
