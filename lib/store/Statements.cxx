// Every SQL statement the store runs, in one table, prepared once when it opens.

#include "store/Impl.hxx"

namespace pigeon::store {

#define OUTBOX_COLUMNS "id, origin_id, recipient, body, created, state, sent, delivered"
#define CARRIED_COLUMNS                                                                            \
    "origin_id, origin, recipient, from_peer, sent, received, expires, uploaded, payload"
#define INBOX_COLUMNS "origin_id, sender, body, sent, received, via, authenticity"
// Matches ids that start with ?1.
#define ID_PREFIX "substr(origin_id, 1, length(?1)) = ?1"

extern const std::array<const char*, kSqlCount> kStatements = {
    "INSERT INTO outbox (origin_id, recipient, body, created) VALUES (?, ?, ?, ?)",
    "SELECT " OUTBOX_COLUMNS " FROM outbox ORDER BY created, id",
    "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE " ID_PREFIX " LIMIT 2",
    "SELECT id FROM outbox WHERE origin_id = ?",
    "SELECT carrier, handed FROM handoffs WHERE outbox_id = ? ORDER BY handed, carrier",
    "INSERT OR IGNORE INTO handoffs (outbox_id, carrier, handed) VALUES (?, ?, ?)",
    "SELECT " OUTBOX_COLUMNS " FROM outbox o WHERE state = 'queued' "
    "AND (created, origin_id) > (?4, ?5) "
    "AND (SELECT count(*) FROM handoffs h WHERE h.outbox_id = o.id) < ?2 "
    "AND NOT EXISTS (SELECT 1 FROM handoffs h WHERE h.outbox_id = o.id AND h.carrier = ?1) "
    "ORDER BY created, origin_id LIMIT ?3",
    "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE state = 'queued' AND recipient = ? "
    "ORDER BY created, id",
    "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE state = 'queued' ORDER BY created, id LIMIT ?",
    "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE origin_id = ?",
    "UPDATE outbox SET state = 'sent', sent = ?2 WHERE origin_id = ?1 AND state = 'queued'",
    "UPDATE outbox SET state = 'delivered', delivered = ?2 "
    "WHERE origin_id = ?1 AND state != 'delivered'",
    "INSERT OR IGNORE INTO carried (" CARRIED_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
    "SELECT " CARRIED_COLUMNS " FROM carried WHERE uploaded IS NULL ORDER BY received, id",
    "SELECT " CARRIED_COLUMNS " FROM carried WHERE " ID_PREFIX " LIMIT 2",
    "UPDATE carried SET uploaded = ?3 WHERE origin = ?1 AND origin_id = ?2 AND uploaded IS NULL",
    "DELETE FROM carried WHERE uploaded IS NULL AND expires <= ?",
    "INSERT OR IGNORE INTO inbox (" INBOX_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?)",
    "SELECT " INBOX_COLUMNS " FROM inbox ORDER BY received, id",
    "SELECT " INBOX_COLUMNS " FROM inbox WHERE " ID_PREFIX " LIMIT 2",
    "UPDATE counters SET value = value + ?2 WHERE name = ?1",
    "SELECT name, value FROM counters",
    "INSERT INTO neighbours (instance, jid, carrier, addresses, first_seen, last_seen) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (instance) DO UPDATE SET jid = excluded.jid, "
    "carrier = excluded.carrier, addresses = excluded.addresses, last_seen = excluded.last_seen",
    "SELECT instance, jid, carrier, addresses, first_seen, last_seen FROM neighbours "
    "ORDER BY last_seen DESC",
    "INSERT INTO handshakes (at, instance, event, detail) VALUES (?, ?, ?, ?)",
    "SELECT at, instance, event, detail FROM "
    "(SELECT * FROM handshakes ORDER BY id DESC LIMIT ?) ORDER BY id",
    "SELECT (SELECT count(*) FROM outbox WHERE state != 'delivered'), "
    "(SELECT count(*) FROM carried WHERE uploaded IS NULL), (SELECT count(*) FROM inbox)",
    "SELECT t.box, coalesce(o.origin_id, i.origin_id), coalesce(o.recipient, i.sender), "
    "coalesce(o.created, i.received), snippet(message_text, 0, '[', ']', '...', 10) "
    "FROM message_text t "
    "LEFT JOIN outbox o ON t.box = 'outbox' AND o.id = t.ref "
    "LEFT JOIN inbox i ON t.box = 'inbox' AND i.id = t.ref "
    "WHERE message_text MATCH ?1 ORDER BY rank LIMIT ?2",
    "SELECT c.jid, c.name, c.subscription, c.synced, coalesce(k.key, '') "
    "FROM contacts c LEFT JOIN keys k ON k.jid = c.jid ORDER BY c.jid",
    "SELECT 1 FROM contacts WHERE jid = ?",
    "INSERT INTO contacts (jid, name) VALUES (?1, ?2) "
    "ON CONFLICT (jid) DO UPDATE SET name = excluded.name",
    "DELETE FROM contacts WHERE synced = 1",
    "INSERT INTO contacts (jid, name, subscription, synced) VALUES (?1, ?2, ?3, 1) "
    "ON CONFLICT (jid) DO UPDATE SET name = excluded.name, "
    "subscription = excluded.subscription, synced = 1",
    "UPDATE contacts SET synced = 1 WHERE jid = ?",
    "INSERT INTO keys (jid, key, learned) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (jid) DO UPDATE SET key = excluded.key, learned = excluded.learned",
    "SELECT key FROM keys WHERE jid = ?",
    "SELECT authenticity FROM inbox WHERE sender = ? AND origin_id = ?",
    "UPDATE inbox SET body = ?3, sent = ?4, via = ?5, authenticity = ?6 "
    "WHERE sender = ?1 AND origin_id = ?2 AND authenticity = 'unverified'",
    "DELETE FROM inbox WHERE sender = ? AND origin_id = ? AND authenticity = 'unverified'",
    "INSERT OR IGNORE INTO unverified (sender, origin_id, via, forwarded, received) "
    "VALUES (?, ?, ?, ?, ?)",
    "SELECT origin_id, via, forwarded, received FROM unverified WHERE sender = ? ORDER BY id",
    "DELETE FROM unverified WHERE sender = ? AND origin_id = ?",
    "SELECT DISTINCT sender FROM unverified ORDER BY sender",
};

} // namespace pigeon::store
