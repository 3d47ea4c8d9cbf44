// Every SQL statement the store runs, in one table, prepared once when it opens.

#include "store/Impl.hxx"

namespace pigeon::store {

// The budget given (OutboxItem::copies_given) is what the row kept before
// schema 20 and what its handoffs gave since.
#define OUTBOX_COLUMNS                                                                             \
    "id, origin_id, recipient, body, created, state, sent, delivered, custody, custody_by, "       \
    "custody_at, expires, coalesce(delivered_via, ''), coalesce(delivered_hops, 0), "              \
    "copies_given + (SELECT coalesce(sum(h.copies), 0) FROM handoffs h WHERE h.outbox_id = "       \
    "outbox.id)"
// Schema 16: a queued message's seal (OutboxSeal), after OUTBOX_COLUMNS.
#define SEAL_COLUMNS "signed_as, sealed_for, sealed, signature"
#define CARRIED_COLUMNS                                                                            \
    "origin_id, origin, recipient, from_peer, sent, received, expires, uploaded, payload, "        \
    "delivered, digest, copies, path"
// Carried messages on their way: neither uploaded nor taken by the recipient.
#define CARRYING "uploaded IS NULL AND delivered IS NULL"
// Nor known delivered: a verified tombstone (schema 8) stops it.
#define NOT_TOMBSTONED                                                                             \
    "NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.origin = carried.origin "                      \
    "AND t.origin_id = carried.origin_id AND t.verified)"
// How many of them: every copy we carry counts in its giver's load (schema 12).
#define CARRYING_SIZE "(SELECT coalesce(sum(messages), 0) FROM carried_load WHERE kind = 'peer')"
// A size kept in box_sizes (schema 17).
#define BOX_SIZE(name) "(SELECT value FROM box_sizes WHERE name = '" name "')"
// Carried messages whose origin has not been told the latest: as the
// carried_news index says (schema 5).
#define NEWS_DUE                                                                                   \
    "((delivered IS NOT NULL AND told IS NOT 'delivered') OR "                                     \
    "(delivered IS NULL AND uploaded IS NOT NULL AND told IS NULL))"
#define NEWS_COLUMNS "origin, origin_id, recipient, delivered IS NOT NULL, coalesce(receipt, '')"
#define INBOX_COLUMNS "origin_id, sender, body, sent, received, via, authenticity"
// A page of a listing: rows older than (?1, ?2), newest first, at most ?3.
#define OLDER_THAN(at) "(" at ", id) < (?1, ?2) ORDER BY " at " DESC, id DESC LIMIT ?3"
// Matches ids that start or end with ?1: lists show an id's end (its
// random part; it begins with the time it was made).
#define ID_MATCHES "(substr(origin_id, 1, length(?1)) = ?1 OR substr(origin_id, -length(?1)) = ?1)"

extern const std::array<const char*, kSqlCount> kStatements = {
    "INSERT INTO outbox (origin_id, recipient, body, created, expires, " SEAL_COLUMNS
    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE " OLDER_THAN("created"),
    "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE " ID_MATCHES " LIMIT 2",
    "SELECT id FROM outbox WHERE origin_id = ?",
    "SELECT carrier, handed FROM handoffs WHERE outbox_id = ? ORDER BY handed, carrier",
    "INSERT OR IGNORE INTO handoffs (outbox_id, carrier, handed, copies) VALUES (?, ?, ?, ?)",
    "SELECT " OUTBOX_COLUMNS ", " SEAL_COLUMNS " FROM outbox WHERE state = 'queued' "
    "AND (created, origin_id) > (?4, ?5) AND expires > ?6 "
    "AND (custody IS NULL OR custody = 'refused') "
    "AND (SELECT count(*) FROM handoffs h WHERE h.outbox_id = outbox.id) < ?2 "
    "AND NOT EXISTS (SELECT 1 FROM handoffs h WHERE h.outbox_id = outbox.id AND h.carrier = ?1) "
    "ORDER BY created, origin_id LIMIT ?3",
    "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE state = 'queued' AND recipient = ?1 "
    "AND custody IS NOT 'reported' AND expires > ?2 ORDER BY created, id",
    // A carrier's word that it uploaded one holds us back until ?2. Through
    // the queue's own index, in its order: ordered by row id, the planner
    // walked every message ever sent (17 ms at 100,000), at every receipt.
    "SELECT " OUTBOX_COLUMNS " FROM outbox INDEXED BY outbox_queue WHERE state = 'queued' "
    "AND expires > ?3 "
    "AND (custody IS NULL OR custody = 'refused' OR (custody = 'uploaded' AND custody_at <= ?2)) "
    "ORDER BY created, origin_id LIMIT ?1",
    "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE origin_id = ?",
    "UPDATE outbox SET state = 'sent', sent = ?2 WHERE origin_id = ?1 AND state = 'queued'",
    "UPDATE outbox SET state = 'delivered', delivered = ?2, delivered_via = nullif(?3, ''), "
    "delivered_hops = ?4 WHERE origin_id = ?1 AND state != 'delivered'",
    // VALUES, not a SELECT that reads `carried`: an INSERT whose SELECT reads
    // the table it fills runs through a temporary table, built and freed for
    // every copy. A copy stored before schema 10 is looked for first
    // (kCopiesOf).
    "INSERT OR IGNORE INTO carried (" CARRIED_COLUMNS
    ", bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, NULL, ?10, ?11, ?12, ?9)",
    "SELECT " CARRIED_COLUMNS " FROM carried WHERE " CARRYING " AND expires > ? AND " NOT_TOMBSTONED
    "ORDER BY received, id LIMIT ?",
    // What `carrying` shows: no payload, which it never prints.
    "SELECT origin_id, origin, recipient, from_peer, sent, received, expires, uploaded, '', "
    "delivered, digest, copies, path, id FROM carried WHERE " CARRYING
    " AND " OLDER_THAN("received"),
    // One row a message, however many copies of it we hold (their bytes
    // differ when resealed or relayed): the newest copy.
    "SELECT " CARRIED_COLUMNS ", max(received) FROM carried WHERE " ID_MATCHES
    " GROUP BY origin, origin_id LIMIT 2",
    // ?4: the copy's digest, or '' for every copy of that message.
    "UPDATE carried SET uploaded = ?3 WHERE origin = ?1 AND origin_id = ?2 AND uploaded IS NULL "
    "AND (?4 = '' OR digest = ?4)",
    // Payload and all (schema 7); one that was uploaded or delivered, of
    // which its origin may need to hear, keeps its row without the payload
    // (kDropExpiredBodies), as a record.
    "DELETE FROM carried WHERE payload != '' AND expires <= ?1 AND NOT " NEWS_DUE,
    "INSERT OR IGNORE INTO inbox (" INBOX_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?)",
    "SELECT " INBOX_COLUMNS ", id FROM inbox WHERE " OLDER_THAN("received"),
    "SELECT " INBOX_COLUMNS " FROM inbox WHERE " ID_MATCHES " LIMIT 2",
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
    // Schema 17: status's queue sizes and the listings' totals, as kept.
    "SELECT " BOX_SIZE("outbox_open") ", " CARRYING_SIZE ", " BOX_SIZE("inbox"),
    "SELECT " BOX_SIZE("outbox") ", " CARRYING_SIZE ", " BOX_SIZE("inbox"),
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
    // Schema 5: delivery (Custody.cxx).
    "SELECT value FROM sync WHERE name = ?",
    "INSERT INTO sync (name, value) VALUES (?1, ?2) "
    "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    "UPDATE outbox SET custody = 'uploaded', custody_by = ?2, custody_at = ?3 "
    "WHERE origin_id = ?1 AND state = 'queued' AND custody IS NULL",
    "UPDATE outbox SET custody = 'reported', custody_by = ?2, custody_at = ?3, receipt = ?4 "
    "WHERE origin_id = ?1 AND state != 'delivered' AND (custody IS NULL OR custody = 'uploaded')",
    "SELECT origin_id, recipient, coalesce(receipt, '') FROM outbox "
    "WHERE custody = 'reported' AND state != 'delivered' ORDER BY id",
    "UPDATE outbox SET custody = 'uploaded', receipt = NULL "
    "WHERE origin_id = ? AND custody = 'reported' AND state != 'delivered'",
    "SELECT min(custody_at) FROM outbox WHERE state = 'queued' AND custody = 'uploaded' "
    "AND custody_at > ?",
    "SELECT DISTINCT recipient FROM outbox WHERE state = 'queued' AND custody = 'uploaded' "
    "ORDER BY recipient",
    "SELECT " CARRIED_COLUMNS " FROM carried WHERE " CARRYING
    " AND recipient = ?1 AND " NOT_TOMBSTONED "AND expires > ?3 ORDER BY received, id LIMIT ?2",
    "UPDATE carried SET delivered = ?3, receipt = ?4 "
    "WHERE origin = ?1 AND origin_id = ?2 AND delivered IS NULL",
    // By the unique key's first column (schema 19).
    "SELECT origin FROM carried WHERE origin_id = ? AND recipient = ?",
    // From the index of what is due alone: the planner would rather walk the
    // whole table in row order (40 ms at 100,000 copies) than sort a few.
    "SELECT " NEWS_COLUMNS " FROM carried INDEXED BY carried_news WHERE " NEWS_DUE
    " ORDER BY id LIMIT ?",
    "SELECT " NEWS_COLUMNS " FROM carried WHERE " NEWS_DUE " AND origin = ? ORDER BY id LIMIT ?",
    "UPDATE carried SET told = ?3 WHERE origin = ?1 AND origin_id = ?2 AND told IS NOT 'delivered'",
    // The recipient's own word: no carrier's report holds our send back any more.
    "UPDATE outbox SET custody = 'refused', custody_at = ?2, receipt = NULL "
    "WHERE origin_id = ?1 AND state = 'queued' AND custody IS NOT 'refused'",
    // Schema 7: expiry, as the outbox_expiry and carried_expiry indexes say.
    "UPDATE outbox SET state = 'expired' "
    "WHERE state = 'queued' AND custody IS NOT 'reported' AND expires <= ?1 RETURNING origin_id",
    "SELECT min(at) FROM (SELECT min(expires) AS at FROM outbox "
    "WHERE state = 'queued' AND custody IS NOT 'reported' "
    "UNION ALL SELECT min(expires) FROM carried WHERE payload != '' "
    "UNION ALL SELECT min(until) FROM tombstones)",
    "UPDATE carried SET payload = '' WHERE payload != '' AND expires <= ?1",
    // Schema 8: tombstones. A verified one replaces an unverified one, with a
    // new row id so that it is passed on again.
    "INSERT INTO tombstones (origin, origin_id, recipient, until, receipt, verified, learned) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (origin, origin_id) DO UPDATE SET "
    "id = (SELECT max(id) + 1 FROM tombstones), receipt = excluded.receipt, verified = 1 "
    "WHERE excluded.verified AND NOT tombstones.verified",
    // Only what we would still hand on or upload: done copies keep their records.
    "DELETE FROM carried WHERE origin = ?1 AND origin_id = ?2 AND " CARRYING,
    "SELECT origin, origin_id, recipient, until, receipt, verified, id, via, hops FROM tombstones "
    "WHERE id > ?1 AND until > ?3 AND (verified OR NOT ?4) ORDER BY id LIMIT ?2",
    "DELETE FROM tombstones WHERE until <= ?1",
    // Our upload was accepted: known delivered, on our word only, by way of
    // the carriers on the copy's path but its origin, and us (link::PathHops).
    "INSERT OR IGNORE INTO tombstones (origin, origin_id, recipient, until, learned, hops) "
    "SELECT origin, origin_id, recipient, expires, ?3, "
    "length(path) - length(replace(path, char(10), '')) + 1 FROM carried "
    "WHERE origin = ?1 AND origin_id = ?2",
    "SELECT expires FROM carried WHERE origin = ? AND origin_id = ?",
    // Schema 9 and 12: fair storage (Quota.cxx), from the loads triggers keep.
    "SELECT name, messages, bytes FROM carried_load WHERE kind = 'peer' AND messages > 0",
    "SELECT coalesce(sum(messages), 0), coalesce(sum(bytes), 0) FROM carried_load "
    "WHERE kind = 'origin' AND name = ?",
    // Eviction order: nearest expiry, then the oldest received.
    "SELECT id, origin, origin_id, bytes FROM carried INDEXED BY carried_by_peer "
    "WHERE " CARRYING " AND from_peer = ?1 ORDER BY expires, received, id LIMIT ?2 OFFSET ?3",
    "DELETE FROM carried WHERE id = ? AND " CARRYING,
    // Around diagnostic rows only (Impl::RunUnsynced); FULL is the default.
    "PRAGMA synchronous = NORMAL",
    "PRAGMA synchronous = FULL",
    // Schema 11: spray-and-wait (Spray.cxx). Copies with budget to hand on
    // to ?1, after row ?2: any tombstone, verified or not, stops a handoff.
    "SELECT " CARRIED_COLUMNS ", id FROM carried WHERE copies > 1 AND " CARRYING
    " AND id > ?2 AND expires > ?3 AND payload != '' AND NOT EXISTS "
    "(SELECT 1 FROM tombstones t WHERE t.origin = carried.origin AND t.origin_id = "
    "carried.origin_id) AND NOT EXISTS (SELECT 1 FROM relays r WHERE r.carried_id = carried.id "
    "AND r.peer = ?1) ORDER BY id LIMIT ?4",
    "INSERT OR IGNORE INTO relays (carried_id, peer, handed, copies) VALUES (?1, ?2, ?3, ?4)",
    "UPDATE carried SET copies = max(copies - ?2, 1) WHERE id = ?1",
    // Schema 12: what a batch of carried copies adds to a neighbour's or an
    // origin's load (AddCarried; deletes and updates are counted by triggers).
    "INSERT INTO carried_load VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET "
    "messages = messages + excluded.messages, bytes = bytes + excluded.bytes",
    // Schema 13: the way a tombstone's message went, where we knew none, or
    // from the tombstone that just became proof (?5); one that names no hops
    // (0) keeps those we counted.
    "UPDATE tombstones SET via = ?3, hops = CASE WHEN ?4 > 0 THEN ?4 ELSE hops END "
    "WHERE origin = ?1 AND origin_id = ?2 AND (via = '' OR ?5)",
    // The giver offers again a copy it gave us (its answer was lost: we were
    // killed between our commit and our acknowledgement): the same copy,
    // taken once, with the budget it offers now, unless we handed some of it
    // on already (that share is spent). No second row, no second budget.
    // `+from_peer`: found by (origin, origin_id), not by walking every copy
    // from that peer, which SQLite's planner otherwise picks (carried_by_peer
    // matches CARRYING) and which made each handoff quadratic.
    // Looked for first, read-only: a giver offers again rarely, and an UPDATE
    // that finds nothing still opens the table and indexes it could write.
    "SELECT id, EXISTS (SELECT 1 FROM relays WHERE carried_id = carried.id) FROM carried "
    "WHERE origin = ?1 AND origin_id = ?2 AND +from_peer = ?3 AND " CARRYING,
    // A tombstone after row ?1 of a message of ?3 or ?4 (an origin's names).
    "SELECT 1 FROM tombstones WHERE origin IN (?3, ?4) AND id > ?1 AND until > ?2 LIMIT 1",
    // Schema 14: summary vectors (Summary.cxx). What we carry, from the
    // listing's index alone (schema 16), oldest first.
    "SELECT DISTINCT origin, origin_id FROM carried INDEXED BY carried_listing WHERE " CARRYING
    " LIMIT ?1",
    "SELECT origin, origin_id, receipt != '' FROM tombstones WHERE until > ?1 "
    "ORDER BY id DESC LIMIT ?2",
    // Schema 15: vouched link-local TLS pins (Pins.cxx). The first vouched
    // pin of an account stays; seeing it again only notes the instance.
    "SELECT pin FROM link_pins WHERE account = ?",
    "INSERT INTO link_pins VALUES (?1, ?2, ?3, ?4) ON CONFLICT (account) DO UPDATE SET "
    "instance = excluded.instance WHERE pin = excluded.pin",
    "DELETE FROM link_pins WHERE instance = ?1 OR account = ?2",
    // Schema 16: seals made once (OutboxSigner). Queued messages after
    // (?2, ?3) not signed as ?1, in queue order.
    "SELECT " OUTBOX_COLUMNS ", " SEAL_COLUMNS " FROM outbox WHERE state = 'queued' "
    "AND (created, origin_id) > (?2, ?3) AND signed_as != ?1 ORDER BY created, origin_id LIMIT ?4",
    "UPDATE outbox SET signed_as = ?2, sealed_for = ?3, sealed = ?4, signature = ?5 "
    "WHERE origin_id = ?1",
    // The copies of a message we hold: whether each is the copy with bytes ?3
    // as stored before schema 10 (with no digest), and whether it is one we
    // carry that other carriers handed on (a path of more than one name).
    "SELECT id, digest = '' AND payload = ?3, " CARRYING " AND instr(path, char(10)) > 0 "
    "FROM carried WHERE origin = ?1 AND origin_id = ?2",
    // The copy kHeldCopy found takes the budget offered now.
    "UPDATE carried SET copies = ?2 WHERE id = ?1",
};

} // namespace pigeon::store
