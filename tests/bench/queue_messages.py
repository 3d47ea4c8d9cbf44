#!/usr/bin/env python3
"""Queues COUNT messages for jerry@example.org straight into a stopped pigeond's
store (DB), as that many sends would, in one transaction. A send seals and
signs its message as it queues it; these get theirs when pigeond starts again
(as messages queued before schema 16 do).

usage: queue_messages.py DB COUNT [LABEL]"""
import secrets
import sqlite3
import sys
import time
import uuid


def origin_id(ms):
    """As pigeond makes them (crypto::NewOriginId): version 7, time first."""
    r = secrets.randbits(74)
    return str(uuid.UUID(int=(ms << 80) | (0x7 << 76) | ((r >> 62) << 64) | (0b10 << 62) |
                         (r & ((1 << 62) - 1))))


def main():
    path, count = sys.argv[1], int(sys.argv[2])
    label = sys.argv[3] if len(sys.argv) > 3 else "benchmark message"
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("BEGIN IMMEDIATE")
    now = int(time.time() * 1000)
    # A millisecond apart, in the order they were sent, as sends made one
    # after another would be: the queue is walked in that order.
    for i in range(count):
        created = now - count + i
        db.execute("INSERT INTO outbox (origin_id, recipient, body, created, expires) "
                   "VALUES (?, ?, ?, ?, ?)",
                   (origin_id(created), "jerry@example.org", f"{label} {i:05d} " + "x" * 100,
                    created, now + 7 * 24 * 3600 * 1000))
    db.execute("COMMIT")


main()
