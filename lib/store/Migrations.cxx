// Every migration of the store's schema, in order (Schema.cxx runs them).

#include "store/Migrations.hxx"

namespace pigeon::store {
namespace {

// Schema 12: a carried copy that goes (deleted, uploaded or delivered) no
// longer counts against its giver's and its origin's loads.
#define PIGEON_LOAD_LESS_OLD                                                                       \
    "UPDATE carried_load SET messages = messages - 1, bytes = bytes - OLD.bytes WHERE "            \
    "(kind = 'peer' AND name = OLD.from_peer) OR (kind = 'origin' AND name = OLD.origin); "        \
    "DELETE FROM carried_load WHERE messages = 0 AND "                                             \
    "((kind = 'peer' AND name = OLD.from_peer) OR (kind = 'origin' AND name = OLD.origin));"

// Schema 17: one of our messages still on its way, as status counts it.
#define PIGEON_OUTBOX_OPEN(row)                                                                    \
    "(" row ".state NOT IN ('delivered', 'expired') AND " row ".custody IS NOT 'reported')"

// In order (Migrations.hxx). Never edit a released entry: append a new one.
const char* const kMigrations[] = {
    // 1: the initial model.
    R"(
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    origin_id TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    body TEXT NOT NULL,
    created INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'delivered')),
    sent INTEGER,
    delivered INTEGER
);
CREATE TABLE handoffs (
    outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    carrier TEXT NOT NULL,
    handed INTEGER NOT NULL,
    PRIMARY KEY (outbox_id, carrier)
) WITHOUT ROWID;
CREATE TABLE carried (
    id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,
    origin_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    from_peer TEXT NOT NULL,
    sent INTEGER NOT NULL,
    received INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    uploaded INTEGER,
    payload TEXT NOT NULL,
    UNIQUE (origin, origin_id)
);
CREATE INDEX carried_pending ON carried(expires) WHERE uploaded IS NULL;
CREATE TABLE inbox (
    id INTEGER PRIMARY KEY,
    sender TEXT NOT NULL,
    origin_id TEXT NOT NULL,
    body TEXT NOT NULL,
    sent INTEGER NOT NULL,
    received INTEGER NOT NULL,
    via TEXT NOT NULL,
    UNIQUE (sender, origin_id)
);
CREATE INDEX inbox_origin_id ON inbox(origin_id);
CREATE TABLE neighbours (
    instance TEXT PRIMARY KEY,
    jid TEXT NOT NULL DEFAULT '',
    carrier INTEGER NOT NULL DEFAULT 0,
    addresses TEXT NOT NULL DEFAULT '',
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE handshakes (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    instance TEXT NOT NULL,
    event TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
INSERT INTO counters (name) VALUES ('sent_direct'), ('handed_to_carriers'),
    ('delivered_by_carriers'), ('carried_for_others'), ('uploaded_for_others');

-- Full-text index over the bodies we may read: ours and those sent to us,
-- never what we carry for others. Kept in step by triggers.
CREATE VIRTUAL TABLE message_text USING fts5(
    body, box UNINDEXED, ref UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER outbox_text_insert AFTER INSERT ON outbox BEGIN
    INSERT INTO message_text (body, box, ref) VALUES (new.body, 'outbox', new.id);
END;
CREATE TRIGGER outbox_text_delete AFTER DELETE ON outbox BEGIN
    DELETE FROM message_text WHERE box = 'outbox' AND ref = old.id;
END;
CREATE TRIGGER inbox_text_insert AFTER INSERT ON inbox BEGIN
    INSERT INTO message_text (body, box, ref) VALUES (new.body, 'inbox', new.id);
END;
CREATE TRIGGER inbox_text_delete AFTER DELETE ON inbox BEGIN
    DELETE FROM message_text WHERE box = 'inbox' AND ref = old.id;
END;
)",
    // 2: the roster, cached for offline use; local additions wait to be synced.
    R"(
CREATE TABLE contacts (
    jid TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    subscription TEXT NOT NULL DEFAULT 'none',
    synced INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
)",
    // 3: the queue in the order carriers and recipients walk it, so that a
    // handoff reads the next batch instead of scanning and sorting the outbox.
    R"(
CREATE INDEX outbox_queue ON outbox(created, origin_id) WHERE state = 'queued';
CREATE INDEX outbox_queue_by_recipient ON outbox(recipient, created) WHERE state = 'queued';
)",
    // 4: end-to-end protection. Other agents' public keys as their servers
    // publish them; who vouches for each received message; carried copies
    // kept until their origin's key is known.
    R"(
CREATE TABLE keys (
    jid TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    learned INTEGER NOT NULL
) WITHOUT ROWID;
ALTER TABLE inbox ADD COLUMN authenticity TEXT NOT NULL DEFAULT 'server';
UPDATE inbox SET authenticity = CASE via WHEN 'direct' THEN 'server'
    WHEN 'link-local' THEN 'link-local' ELSE 'unverified' END;
CREATE TABLE unverified (
    id INTEGER PRIMARY KEY,
    sender TEXT NOT NULL,
    origin_id TEXT NOT NULL,
    via TEXT NOT NULL,
    forwarded TEXT NOT NULL,
    received INTEGER NOT NULL,
    UNIQUE (sender, origin_id, forwarded)
);
INSERT INTO counters (name) VALUES ('forged_refused');
CREATE TRIGGER inbox_text_update AFTER UPDATE OF body ON inbox BEGIN
    UPDATE message_text SET body = new.body WHERE box = 'inbox' AND ref = new.id;
END;
)",
    // 5: delivery the user can see. Where we got to in our server's message
    // archive (XEP-0313); what carriers report on our messages; and, as a
    // carrier, what became of each message we carried (the recipient took it
    // from us, with its signed receipt) and what its origin was told of it.
    R"(
CREATE TABLE sync (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
ALTER TABLE outbox ADD COLUMN custody TEXT CHECK (custody IN ('uploaded', 'reported', 'refused'));
ALTER TABLE outbox ADD COLUMN custody_by TEXT;
ALTER TABLE outbox ADD COLUMN custody_at INTEGER;
ALTER TABLE outbox ADD COLUMN receipt TEXT;
ALTER TABLE carried ADD COLUMN delivered INTEGER;
ALTER TABLE carried ADD COLUMN receipt TEXT;
ALTER TABLE carried ADD COLUMN told TEXT CHECK (told IN ('uploaded', 'delivered'));
-- What was uploaded before is history, not news: no flood of reports.
UPDATE carried SET told = 'uploaded' WHERE uploaded IS NOT NULL;
CREATE INDEX carried_news ON carried(origin) WHERE
    (delivered IS NOT NULL AND told IS NOT 'delivered') OR
    (delivered IS NULL AND uploaded IS NOT NULL AND told IS NULL);
CREATE INDEX carried_by_recipient ON carried(recipient) WHERE uploaded IS NULL AND delivered IS NULL;
INSERT INTO counters (name) VALUES ('delivered_for_others');
)",
    // 6: listings a page at a time. Each page walks its index from the newest
    // row and stops at the page's end, instead of sorting the whole table;
    // the totals and status's queue sizes count index entries.
    R"(
CREATE INDEX outbox_listing ON outbox(created, id);
CREATE INDEX outbox_open ON outbox(created) WHERE state != 'delivered' AND custody IS NOT 'reported';
CREATE INDEX carried_listing ON carried(received, id) WHERE uploaded IS NULL AND delivered IS NULL;
CREATE INDEX inbox_listing ON inbox(received, id);
)",
    // 7: expiry (issue 11). Each of our messages has its own expiry, and one
    // that passes it undelivered becomes 'expired': the state column's CHECK
    // cannot be altered in place, so the outbox is rebuilt (same row ids, so
    // that handoffs and the full-text index still point at their rows). The
    // handoffs are kept aside meanwhile: dropping the old table cascades to
    // them. Messages queued before have the default ttl (7 days) from their
    // creation. Carried copies are dropped at their expiry, payload and all;
    // one that was uploaded or delivered keeps its row as a record, without
    // the payload: the index covers the copies with payloads.
    R"(
CREATE TEMP TABLE handoffs_kept AS SELECT * FROM handoffs;
CREATE TABLE outbox_7 (
    id INTEGER PRIMARY KEY,
    origin_id TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    body TEXT NOT NULL,
    created INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'sent', 'delivered', 'expired')),
    sent INTEGER,
    delivered INTEGER,
    custody TEXT CHECK (custody IN ('uploaded', 'reported', 'refused')),
    custody_by TEXT,
    custody_at INTEGER,
    receipt TEXT,
    expires INTEGER NOT NULL
);
INSERT INTO outbox_7 SELECT id, origin_id, recipient, body, created, state, sent, delivered,
    custody, custody_by, custody_at, receipt, created + 604800000 FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_7 RENAME TO outbox;
INSERT INTO handoffs SELECT * FROM handoffs_kept;
DROP TABLE handoffs_kept;
CREATE TRIGGER outbox_text_insert AFTER INSERT ON outbox BEGIN
    INSERT INTO message_text (body, box, ref) VALUES (new.body, 'outbox', new.id);
END;
CREATE TRIGGER outbox_text_delete AFTER DELETE ON outbox BEGIN
    DELETE FROM message_text WHERE box = 'outbox' AND ref = old.id;
END;
CREATE INDEX outbox_queue ON outbox(created, origin_id) WHERE state = 'queued';
CREATE INDEX outbox_queue_by_recipient ON outbox(recipient, created) WHERE state = 'queued';
CREATE INDEX outbox_listing ON outbox(created, id);
CREATE INDEX outbox_open ON outbox(created)
    WHERE state NOT IN ('delivered', 'expired') AND custody IS NOT 'reported';
CREATE INDEX outbox_expiry ON outbox(expires) WHERE state = 'queued' AND custody IS NOT 'reported';
CREATE INDEX carried_expiry ON carried(expires) WHERE payload != '';
INSERT INTO counters (name) VALUES ('expired'), ('expired_carried');
)",
    // 8: delivery tombstones (issue 11). What we know was delivered, kept
    // until the message's expiry and passed on to neighbours: with the
    // recipient's receipt signature when we have it (verified: checked with
    // its key, and then carried copies go); the row id orders them for
    // spreading, a verified one taking a new id.
    R"(
CREATE TABLE tombstones (
    id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,
    origin_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    until INTEGER NOT NULL,
    receipt TEXT NOT NULL DEFAULT '',
    verified INTEGER NOT NULL DEFAULT 0,
    learned INTEGER NOT NULL,
    UNIQUE (origin, origin_id)
);
CREATE INDEX tombstones_until ON tombstones(until);
INSERT INTO counters (name) VALUES ('tombstones_learned');
-- Which way a message of ours was delivered: "direct", "link-local", or the
-- carrier that brought it, and over how many carriers.
ALTER TABLE outbox ADD COLUMN delivered_via TEXT;
ALTER TABLE outbox ADD COLUMN delivered_hops INTEGER;
)",
    // 9: fair storage (issue 12). Each carried copy's size, and what each
    // neighbour and each origin holds, read from indexes alone; the
    // neighbour's copies in the order they are evicted.
    R"(
ALTER TABLE carried ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
UPDATE carried SET bytes = length(CAST(payload AS BLOB));
CREATE INDEX carried_by_peer ON carried(from_peer, expires, received, id, bytes)
    WHERE uploaded IS NULL AND delivered IS NULL;
CREATE INDEX carried_by_origin ON carried(origin, bytes) WHERE uploaded IS NULL AND delivered IS NULL;
)",
    // 10: no pre-emption (issue 12). A copy is the same only with the same
    // bytes: distinct copies of one (origin, origin-id) are kept apart by a
    // digest of their payload (empty for copies stored before, which are
    // compared byte for byte). SQLite cannot drop a UNIQUE constraint, so
    // the table is rebuilt with every column and index it had at schema 9.
    R"(
CREATE TABLE carried_copies (
    id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,
    origin_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    from_peer TEXT NOT NULL,
    sent INTEGER NOT NULL,
    received INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    uploaded INTEGER,
    payload TEXT NOT NULL,
    delivered INTEGER,
    receipt TEXT,
    told TEXT CHECK (told IN ('uploaded', 'delivered')),
    bytes INTEGER NOT NULL DEFAULT 0,
    digest TEXT NOT NULL DEFAULT '',
    UNIQUE (origin, origin_id, digest)
);
INSERT INTO carried_copies (id, origin, origin_id, recipient, from_peer, sent, received, expires,
    uploaded, payload, delivered, receipt, told, bytes)
    SELECT id, origin, origin_id, recipient, from_peer, sent, received, expires, uploaded, payload,
    delivered, receipt, told, bytes FROM carried;
DROP TABLE carried;
ALTER TABLE carried_copies RENAME TO carried;
CREATE INDEX carried_pending ON carried(expires) WHERE uploaded IS NULL;
CREATE INDEX carried_news ON carried(origin) WHERE
    (delivered IS NOT NULL AND told IS NOT 'delivered') OR
    (delivered IS NULL AND uploaded IS NOT NULL AND told IS NULL);
CREATE INDEX carried_by_recipient ON carried(recipient) WHERE uploaded IS NULL AND delivered IS NULL;
CREATE INDEX carried_listing ON carried(received, id) WHERE uploaded IS NULL AND delivered IS NULL;
CREATE INDEX carried_by_peer ON carried(from_peer, expires, received, id, bytes)
    WHERE uploaded IS NULL AND delivered IS NULL;
CREATE INDEX carried_by_origin ON carried(origin, bytes) WHERE uploaded IS NULL AND delivered IS NULL;
CREATE INDEX carried_expiry ON carried(expires) WHERE payload != '';
)",
    // 11: binary spray-and-wait (issue 11). Each carried copy's budget (1:
    // deliver only, as every copy was before) and who held it before us
    // (names one a line, the origin first); the carriers we handed a carried
    // copy on to, and with what budget; how much of its budget the origin
    // gave away with each message.
    R"(
ALTER TABLE carried ADD COLUMN copies INTEGER NOT NULL DEFAULT 1;
ALTER TABLE carried ADD COLUMN path TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN copies_given INTEGER NOT NULL DEFAULT 0;
CREATE TABLE relays (
    carried_id INTEGER NOT NULL REFERENCES carried(id) ON DELETE CASCADE,
    peer TEXT NOT NULL,
    handed INTEGER NOT NULL,
    copies INTEGER NOT NULL,
    PRIMARY KEY (carried_id, peer)
) WITHOUT ROWID;
CREATE INDEX carried_spray ON carried(id) WHERE copies > 1 AND uploaded IS NULL AND delivered IS NULL;
)",
    // 12: what each neighbour and each origin has us carry, kept up to date
    // (issue 13): counting it from the indexes took a walk over every carried
    // copy for each batch a carrier took in. Triggers count what goes; what
    // comes is added once a batch by Store::AddCarried, as an insert trigger
    // cost ~30 us a copy, a third of the carrier's time per copy. A copy
    // never becomes carried again once uploaded or delivered, and its size,
    // giver and origin never change: updates only take away.
    R"(
DROP INDEX carried_by_origin;
CREATE TABLE carried_load (
    kind TEXT NOT NULL CHECK (kind IN ('peer', 'origin')),
    name TEXT NOT NULL,
    messages INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (kind, name)
) WITHOUT ROWID;
INSERT INTO carried_load SELECT 'peer', from_peer, count(*), sum(bytes) FROM carried
    WHERE uploaded IS NULL AND delivered IS NULL GROUP BY from_peer;
INSERT INTO carried_load SELECT 'origin', origin, count(*), sum(bytes) FROM carried
    WHERE uploaded IS NULL AND delivered IS NULL GROUP BY origin;
CREATE TRIGGER carried_load_out AFTER DELETE ON carried
    WHEN OLD.uploaded IS NULL AND OLD.delivered IS NULL BEGIN )" PIGEON_LOAD_LESS_OLD R"( END;
CREATE TRIGGER carried_load_done AFTER UPDATE OF uploaded, delivered ON carried
    WHEN OLD.uploaded IS NULL AND OLD.delivered IS NULL BEGIN )" PIGEON_LOAD_LESS_OLD R"( END;
)",
    // 13: which way a delivered message went (issue 11), carried with its
    // tombstone so that an origin that never gets an uplink learns it from a
    // neighbour: the carrier that delivered it ('' when unknown) and how many
    // carriers it went through.
    R"(
ALTER TABLE tombstones ADD COLUMN via TEXT NOT NULL DEFAULT '';
ALTER TABLE tombstones ADD COLUMN hops INTEGER NOT NULL DEFAULT 0;
)",
    // 14: summary vectors (issue 11). The messages we carry, read from an
    // index alone, so that listing them for a neighbour at each contact costs
    // no walk over the payloads; what the summaries spared.
    R"(
CREATE INDEX carried_summary ON carried(origin, origin_id) WHERE uploaded IS NULL AND delivered IS NULL;
INSERT INTO counters (name) VALUES ('summary_skipped');
)",
    // 15: the TLS pin each account's agent showed us with a signature its
    // server's key vouches for (issue 12): trust on first vouch, so that a
    // later pin for the account is refused until `peers forget-pin`.
    R"(
CREATE TABLE link_pins (
    account TEXT PRIMARY KEY,
    pin TEXT NOT NULL,
    instance TEXT NOT NULL,
    vouched INTEGER NOT NULL
) WITHOUT ROWID;
)",
    // 16: each queued message's seal and signature, made once when it is
    // queued (issue 13): signing it at every handoff took 40% of the
    // sender's time. As which origin it was signed and for which recipient
    // key it was sealed: a change of either makes them again. Messages
    // queued before have none until the daemon makes them (OutboxSigner).
    R"(
ALTER TABLE outbox ADD COLUMN signed_as TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN sealed_for TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN sealed TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN signature TEXT NOT NULL DEFAULT '';
)",
    // 17 (appended by the store-scale branch; renumber at merge): status and
    // each listing's totals read sizes kept up to date (issue 13), not a
    // count over an index that grows with the store (23 ms at 100k rows).
    // Triggers keep them, a row at a time: an outbox row comes with `send`,
    // an inbox row with a message, both already paying a full-text insert.
    // What we carry is counted by carried_load (schema 12). A migration that
    // rebuilds outbox or inbox drops these triggers: it must make them again.
    // The index that counted open messages (schema 7) serves nothing now.
    R"(
DROP INDEX outbox_open;
CREATE TABLE box_sizes (
    name TEXT PRIMARY KEY CHECK (name IN ('outbox', 'outbox_open', 'inbox')),
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO box_sizes SELECT 'outbox', count(*) FROM outbox;
INSERT INTO box_sizes SELECT 'outbox_open', count(*) FROM outbox o WHERE )" PIGEON_OUTBOX_OPEN(
        "o") R"(;
INSERT INTO box_sizes SELECT 'inbox', count(*) FROM inbox;
CREATE TRIGGER outbox_size_in AFTER INSERT ON outbox BEGIN
    UPDATE box_sizes SET value = value + 1 WHERE name = 'outbox';
    UPDATE box_sizes SET value = value + 1 WHERE name = 'outbox_open'
        AND )" PIGEON_OUTBOX_OPEN("NEW") R"(;
END;
CREATE TRIGGER outbox_size_out AFTER DELETE ON outbox BEGIN
    UPDATE box_sizes SET value = value - 1 WHERE name = 'outbox';
    UPDATE box_sizes SET value = value - 1 WHERE name = 'outbox_open'
        AND )" PIGEON_OUTBOX_OPEN("OLD") R"(;
END;
CREATE TRIGGER outbox_size_moved AFTER UPDATE OF state, custody ON outbox
    WHEN )" PIGEON_OUTBOX_OPEN("OLD") " != " PIGEON_OUTBOX_OPEN("NEW") R"( BEGIN
    UPDATE box_sizes SET value = value + CASE WHEN )" PIGEON_OUTBOX_OPEN("NEW") R"( THEN 1 ELSE -1 END
        WHERE name = 'outbox_open';
END;
CREATE TRIGGER inbox_size_in AFTER INSERT ON inbox BEGIN
    UPDATE box_sizes SET value = value + 1 WHERE name = 'inbox';
END;
CREATE TRIGGER inbox_size_out AFTER DELETE ON inbox BEGIN
    UPDATE box_sizes SET value = value - 1 WHERE name = 'inbox';
END;
)",
    // 18: fewer indexes to write for each copy a carrier takes in (issue 13).
    // carried_summary, keyed by random origin-ids, dirtied a page for nearly
    // every copy of a batch (~30% of the pages each commit wrote); the
    // listing's index, which grows at its end, now also holds what a summary
    // lists. It names the columns of its own WHERE too: SQLite reads a query
    // from an index alone only if the index holds every column it names, so
    // a summary reads no rows (it did, from carried_summary too).
    // carried_pending has had no reader since carried_expiry (schema 7).
    R"(
DROP INDEX carried_pending;
DROP INDEX carried_summary;
DROP INDEX carried_listing;
CREATE INDEX carried_listing ON carried(received, id, origin, origin_id, uploaded, delivered)
    WHERE uploaded IS NULL AND delivered IS NULL;
)",
    // 19: a copy found by its message's id alone (issue 13). A receipt for
    // a copy we uploaded names only the id (Uploader::CarriedStanzaId), and
    // finding its origin walked the whole table: 40 ms a receipt at 100,000
    // copies. The unique key now begins with the id, so one index serves
    // that and every (origin, id) lookup, with no index more to write for
    // each copy taken in. SQLite cannot change a UNIQUE constraint: the table
    // is rebuilt, as in schema 10, with its indexes and triggers. Dropping it
    // deletes the relays that name its rows (ON DELETE CASCADE; no trigger
    // fires): they are kept aside and put back, row ids unchanged.
    R"(
CREATE TEMP TABLE relays_kept AS SELECT * FROM relays;
CREATE TABLE carried_rebuilt (
    id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,
    origin_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    from_peer TEXT NOT NULL,
    sent INTEGER NOT NULL,
    received INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    uploaded INTEGER,
    payload TEXT NOT NULL,
    delivered INTEGER,
    receipt TEXT,
    told TEXT CHECK (told IN ('uploaded', 'delivered')),
    bytes INTEGER NOT NULL DEFAULT 0,
    digest TEXT NOT NULL DEFAULT '',
    copies INTEGER NOT NULL DEFAULT 1,
    path TEXT NOT NULL DEFAULT '',
    UNIQUE (origin_id, origin, digest)
);
INSERT INTO carried_rebuilt SELECT id, origin, origin_id, recipient, from_peer, sent, received,
    expires, uploaded, payload, delivered, receipt, told, bytes, digest, copies, path FROM carried;
DROP TABLE carried;
ALTER TABLE carried_rebuilt RENAME TO carried;
INSERT INTO relays SELECT * FROM temp.relays_kept;
DROP TABLE temp.relays_kept;
CREATE INDEX carried_news ON carried(origin) WHERE
    (delivered IS NOT NULL AND told IS NOT 'delivered') OR
    (delivered IS NULL AND uploaded IS NOT NULL AND told IS NULL);
CREATE INDEX carried_by_recipient ON carried(recipient) WHERE uploaded IS NULL AND delivered IS NULL;
CREATE INDEX carried_by_peer ON carried(from_peer, expires, received, id, bytes)
    WHERE uploaded IS NULL AND delivered IS NULL;
CREATE INDEX carried_expiry ON carried(expires) WHERE payload != '';
CREATE INDEX carried_spray ON carried(id) WHERE copies > 1 AND uploaded IS NULL AND delivered IS NULL;
CREATE INDEX carried_listing ON carried(received, id, origin, origin_id, uploaded, delivered)
    WHERE uploaded IS NULL AND delivered IS NULL;
CREATE TRIGGER carried_load_out AFTER DELETE ON carried
    WHEN OLD.uploaded IS NULL AND OLD.delivered IS NULL BEGIN )" PIGEON_LOAD_LESS_OLD R"( END;
CREATE TRIGGER carried_load_done AFTER UPDATE OF uploaded, delivered ON carried
    WHEN OLD.uploaded IS NULL AND OLD.delivered IS NULL BEGIN )" PIGEON_LOAD_LESS_OLD R"( END;
)",
    // 20: the budget a handoff gives, on its row (issue 13): adding it to
    // copies_given rewrote the outbox row, seal and all, for each message
    // handed over (11,000 of a giver's ~86,000 instructions a message).
    R"(
ALTER TABLE handoffs ADD COLUMN copies INTEGER NOT NULL DEFAULT 0;
)",
};

} // namespace

const std::span<const char* const> kSchemaMigrations(kMigrations);

} // namespace pigeon::store
