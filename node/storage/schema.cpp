#include "node/storage/schema.hpp"

namespace signalnode::node::storage {

namespace {

// v1: own signals and API tokens. Identifiers, names and the summary live only
// inside `sealed` (XChaCha20-Poly1305 under the node's data key); the columns
// beside it are what queries need and carry no personal data.
void v1_signals_and_tokens(Database& db) {
  db.exec(R"sql(
    CREATE TABLE signals (
      id            TEXT PRIMARY KEY,
      category      TEXT NOT NULL,
      observed_on   TEXT NOT NULL,
      municipality  TEXT,
      severity      TEXT NOT NULL,
      persons       INTEGER,
      status        TEXT NOT NULL DEFAULT 'active',
      created_at_ms INTEGER NOT NULL,
      submitted_by  TEXT NOT NULL,
      key_id        INTEGER NOT NULL,
      sealed        BLOB NOT NULL
    );
    CREATE INDEX signals_by_time ON signals(created_at_ms, id);
    CREATE INDEX signals_by_category ON signals(category, created_at_ms);

    CREATE TABLE signal_subjects (
      signal_id TEXT NOT NULL REFERENCES signals(id) ON DELETE CASCADE,
      position  INTEGER NOT NULL,
      kind      TEXT NOT NULL,
      role      TEXT,
      id_kinds  TEXT NOT NULL,
      PRIMARY KEY (signal_id, position)
    ) WITHOUT ROWID;

    CREATE TABLE api_tokens (
      id            TEXT PRIMARY KEY,
      secret_hash   BLOB NOT NULL,
      role          TEXT NOT NULL,
      label         TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL,
      expires_at_ms INTEGER,
      revoked_at_ms INTEGER
    );
  )sql");
}

// v2: pseudonymisation. Identifiers are linked to signals and found by a
// keyed hash (lookup_key); queued identifiers and cached pseudonyms are sealed.
void v2_pseudonyms(Database& db) {
  db.exec(R"sql(
    CREATE TABLE signal_identifiers (
      signal_id  TEXT NOT NULL REFERENCES signals(id) ON DELETE CASCADE,
      position   INTEGER NOT NULL,
      id_kind    TEXT NOT NULL,
      lookup_key BLOB NOT NULL,
      PRIMARY KEY (signal_id, position, id_kind)
    ) WITHOUT ROWID;
    CREATE INDEX signal_identifiers_by_key ON signal_identifiers(lookup_key);

    CREATE TABLE pseudonym_queue (
      lookup_key         BLOB PRIMARY KEY,
      id_kind            TEXT NOT NULL,
      sealed_input       BLOB NOT NULL,
      enqueued_at_ms     INTEGER NOT NULL,
      attempts           INTEGER NOT NULL DEFAULT 0,
      next_attempt_at_ms INTEGER NOT NULL,
      last_error         TEXT
    ) WITHOUT ROWID;
    CREATE INDEX pseudonym_queue_due ON pseudonym_queue(next_attempt_at_ms);

    CREATE TABLE pseudonyms (
      lookup_key     BLOB PRIMARY KEY,
      id_kind        TEXT NOT NULL,
      key_epoch      INTEGER NOT NULL,
      pseudonym      BLOB NOT NULL,
      computed_at_ms INTEGER NOT NULL
    ) WITHOUT ROWID;
  )sql");
}

// v3: sharing. Per signal and partner the policy's decision; per shared record
// the durable outbox entry and its delivery state; received records (the
// inbox, pseudonyms only) and the batches they came in, for idempotency.
void v3_sharing(Database& db) {
  db.exec(R"sql(
    ALTER TABLE signals ADD COLUMN share_state TEXT NOT NULL DEFAULT 'pending';
    CREATE INDEX signals_to_share ON signals(share_state) WHERE share_state = 'pending';

    CREATE TABLE sharing_decisions (
      signal_id TEXT NOT NULL REFERENCES signals(id) ON DELETE CASCADE,
      recipient TEXT NOT NULL,
      rule_id   TEXT,
      reason    TEXT NOT NULL,
      PRIMARY KEY (signal_id, recipient)
    ) WITHOUT ROWID;

    CREATE TABLE outbox (
      record_id          TEXT PRIMARY KEY,
      signal_id          TEXT NOT NULL REFERENCES signals(id) ON DELETE CASCADE,
      recipient          TEXT NOT NULL,
      rule_id            TEXT NOT NULL,
      record             BLOB NOT NULL,
      state              TEXT NOT NULL,
      created_at_ms      INTEGER NOT NULL,
      attempts           INTEGER NOT NULL DEFAULT 0,
      next_attempt_at_ms INTEGER NOT NULL,
      last_error         TEXT,
      delivered_at_ms    INTEGER,
      reason             TEXT,
      batch_id           TEXT
    );
    CREATE INDEX outbox_due ON outbox(recipient, state, next_attempt_at_ms);

    -- Receipts partners signed for our batches: kept once per batch, so either
    -- side's record of an exchange can be checked against what the other signed.
    CREATE TABLE receipts (
      batch_id       TEXT PRIMARY KEY,
      partner        TEXT NOT NULL,
      receipt        BLOB NOT NULL,
      received_at_ms INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX outbox_by_signal ON outbox(signal_id);

    CREATE TABLE inbox (
      id             TEXT PRIMARY KEY,
      sender         TEXT NOT NULL,
      sender_role    TEXT NOT NULL,
      record_id      TEXT NOT NULL,
      category       TEXT NOT NULL,
      observed_week  TEXT,
      municipality   TEXT,
      severity       TEXT,
      persons        INTEGER,
      rule_id        TEXT NOT NULL,
      policy_sha256  TEXT NOT NULL,
      received_at_ms INTEGER NOT NULL,
      expires_at_ms  INTEGER NOT NULL,
      UNIQUE (sender, record_id)
    );
    CREATE INDEX inbox_by_time ON inbox(received_at_ms, id);
    CREATE TABLE inbox_subjects (
      inbox_id  TEXT NOT NULL REFERENCES inbox(id) ON DELETE CASCADE,
      position  INTEGER NOT NULL,
      kind      TEXT NOT NULL,
      id_kind   TEXT NOT NULL,
      pseudonym BLOB NOT NULL,
      PRIMARY KEY (inbox_id, position)
    ) WITHOUT ROWID;
    CREATE INDEX inbox_subjects_by_pseudonym ON inbox_subjects(pseudonym);

    CREATE TABLE inbox_batches (
      sender         TEXT NOT NULL,
      batch_id       TEXT NOT NULL,
      receipt        BLOB NOT NULL,
      received_at_ms INTEGER NOT NULL,
      PRIMARY KEY (sender, batch_id)
    ) WITHOUT ROWID;
  )sql");
}

// v4: the audit log. Append-only by convention of the code and checked by
// `audit verify` against the signed tree heads.
void v4_audit(Database& db) {
  db.exec(R"sql(
    -- leaf is NULL once pruned by the log's retention; its hash stays, so the
    -- signed tree heads still verify.
    CREATE TABLE audit_events (
      idx       INTEGER PRIMARY KEY,
      leaf      BLOB,
      leaf_hash BLOB NOT NULL,
      name      TEXT NOT NULL,
      time_ms   INTEGER NOT NULL,
      partner   TEXT,
      category  TEXT
    );
    CREATE INDEX audit_by_time ON audit_events(time_ms);
    CREATE TABLE audit_subjects (
      pseudonym BLOB NOT NULL,
      idx       INTEGER NOT NULL,
      PRIMARY KEY (pseudonym, idx)
    ) WITHOUT ROWID;
    CREATE TABLE audit_tree_heads (
      tree_size    INTEGER PRIMARY KEY,
      timestamp_ms INTEGER NOT NULL,
      root_hash    BLOB NOT NULL,
      signature    BLOB NOT NULL
    );
  )sql");
}

// v5: alerts. One row per subject pseudonym and alert kind, updated as new
// records arrive instead of multiplying.
void v5_alerts(Database& db) {
  db.exec(R"sql(
    CREATE TABLE alerts (
      id             TEXT PRIMARY KEY,
      kind           TEXT NOT NULL,
      id_kind        TEXT NOT NULL,
      pseudonym      BLOB NOT NULL,
      organisations  TEXT NOT NULL,
      categories     TEXT NOT NULL,
      records        TEXT NOT NULL,
      first_seen_ms  INTEGER NOT NULL,
      last_seen_ms   INTEGER NOT NULL,
      updated_at_ms  INTEGER NOT NULL,
      UNIQUE (pseudonym, kind)
    );
    CREATE INDEX alerts_by_update ON alerts(updated_at_ms, id);
  )sql");
}

// v6: what follows a shared record. The outbox carries messages besides shared
// signals (withdrawals and corrections to recipients, feedback and bundle
// notices back to sources), each naming the record it is about; rebuilt
// because signal_id becomes optional. Own pseudonyms get a keyed match key so
// received records find the node's own signals through an index; received
// messages are kept once for idempotency, withdrawn records as tombstones.
void v6_follow_up(Database& db) {
  db.exec(R"sql(
    CREATE TABLE outbox_v6 (
      record_id          TEXT PRIMARY KEY,
      kind               TEXT NOT NULL DEFAULT 'shared_signal',
      signal_id          TEXT REFERENCES signals(id) ON DELETE CASCADE,
      inbox_id           TEXT,
      refers_to          TEXT,
      recipient          TEXT NOT NULL,
      rule_id            TEXT NOT NULL,
      record             BLOB NOT NULL,
      state              TEXT NOT NULL,
      created_at_ms      INTEGER NOT NULL,
      attempts           INTEGER NOT NULL DEFAULT 0,
      next_attempt_at_ms INTEGER NOT NULL,
      last_error         TEXT,
      delivered_at_ms    INTEGER,
      reason             TEXT,
      batch_id           TEXT
    );
    INSERT INTO outbox_v6 (record_id, signal_id, recipient, rule_id, record, state, created_at_ms, attempts,
                           next_attempt_at_ms, last_error, delivered_at_ms, reason, batch_id)
      SELECT record_id, signal_id, recipient, rule_id, record, state, created_at_ms, attempts,
             next_attempt_at_ms, last_error, delivered_at_ms, reason, batch_id FROM outbox;
    DROP TABLE outbox;
    ALTER TABLE outbox_v6 RENAME TO outbox;
    CREATE INDEX outbox_due ON outbox(recipient, state, next_attempt_at_ms);
    CREATE INDEX outbox_by_signal ON outbox(signal_id, recipient);
    CREATE INDEX outbox_by_refers_to ON outbox(refers_to) WHERE refers_to IS NOT NULL;
    ALTER TABLE signals ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE signals ADD COLUMN withdrawn_at_ms INTEGER;
    ALTER TABLE pseudonyms ADD COLUMN match_key BLOB;
    CREATE INDEX pseudonyms_by_match_key ON pseudonyms(match_key);
    CREATE INDEX inbox_by_record ON inbox(record_id);
    ALTER TABLE inbox ADD COLUMN feedback_status TEXT;
    ALTER TABLE inbox ADD COLUMN feedback_reason TEXT;
    ALTER TABLE inbox ADD COLUMN feedback_at_ms INTEGER;
    -- Feedback and bundle notices partners sent about our shared records.
    CREATE TABLE signal_feedback (
      message_id     TEXT PRIMARY KEY,
      signal_id      TEXT NOT NULL REFERENCES signals(id) ON DELETE CASCADE,
      partner        TEXT NOT NULL,
      record_id      TEXT NOT NULL,
      kind           TEXT NOT NULL,
      status         TEXT,
      reason         TEXT,
      note           TEXT,
      organisations  INTEGER,
      categories     TEXT,
      received_at_ms INTEGER NOT NULL
    );
    CREATE INDEX signal_feedback_by_signal ON signal_feedback(signal_id, received_at_ms);
    -- Messages (withdrawals, corrections, feedback, notices) applied once each.
    CREATE TABLE inbox_messages (
      sender     TEXT NOT NULL,
      message_id TEXT NOT NULL,
      accepted   INTEGER NOT NULL,
      reason     TEXT NOT NULL,
      PRIMARY KEY (sender, message_id)
    ) WITHOUT ROWID;
    -- Records withdrawn by their source: the content is gone, the fact stays,
    -- so a second withdrawal is told apart from one for an unknown record.
    CREATE TABLE inbox_tombstones (
      record_id       TEXT PRIMARY KEY,
      sender          TEXT NOT NULL,
      withdrawn_at_ms INTEGER NOT NULL
    ) WITHOUT ROWID;
    ALTER TABLE alerts ADD COLUMN signals TEXT NOT NULL DEFAULT '[]';
  )sql");
}

// v7: people who log in to the web interface. Passwords as argon2id strings
// (libsodium crypto_pwhash_str); sessions by SHA-256 of their cookie value.
void v7_users(Database& db) {
  db.exec(R"sql(
    CREATE TABLE users (
      username        TEXT PRIMARY KEY,
      role            TEXT NOT NULL,
      password_hash   TEXT NOT NULL,
      created_at_ms   INTEGER NOT NULL,
      failed_logins   INTEGER NOT NULL DEFAULT 0,
      locked_until_ms INTEGER
    ) WITHOUT ROWID;
    CREATE TABLE sessions (
      token_hash    BLOB PRIMARY KEY,
      username      TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
      csrf_token    TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL,
      last_seen_ms  INTEGER NOT NULL
    ) WITHOUT ROWID;
  )sql");
}

// v8: a queued identifier that cannot be pseudonymised (it does not decrypt
// under the data key: damaged in storage, or sealed under another key) is set
// aside, with when and why, instead of stopping the whole queue. It stays in
// pseudonym_queue, so erasure and retention delete it like any queued row; the
// due index leaves it out, and storing the same identifier again replaces it.
void v8_pseudonym_queue_set_aside(Database& db) {
  db.exec(R"sql(
    ALTER TABLE pseudonym_queue ADD COLUMN set_aside_at_ms INTEGER;
    ALTER TABLE pseudonym_queue ADD COLUMN set_aside_reason TEXT;
    DROP INDEX pseudonym_queue_due;
    CREATE INDEX pseudonym_queue_due ON pseudonym_queue(next_attempt_at_ms) WHERE set_aside_at_ms IS NULL;
  )sql");
}

// v9: typed states. The columns that hold a state or a kind accept only the
// values of their enum (node/sharing/outbox_state.hpp, feedback_state.hpp,
// node/signals/signal_state.hpp, node/alerts/alert_kind.hpp): a CHECK each,
// so a misspelt state fails where it is written instead of vanishing from
// every query that looks for the right one. SQLite adds a CHECK only by
// rebuilding the table (sqlite.org/lang_altertable.html, "Making Other Kinds
// Of Table Schema Changes"): create the new table, copy the rows with their
// rowids (the outbox orders by rowid), drop the old, rename the new, and
// recreate the indexes as v1, v3 and v6 made them. migrate() runs this with
// foreign keys off and checks them before the commit: with them on, dropping
// signals or inbox would delete the rows of their ON DELETE CASCADE children.
// The spellings are frozen here as they were when this step was written; a new
// value needs a new migration (tests/node/typed_states_test.cpp inserts every
// enumerator to show that the two agree).
void v9_typed_states(Database& db) {
  db.exec(R"sql(
    CREATE TABLE signals_typed (
      id              TEXT PRIMARY KEY,
      category        TEXT NOT NULL,
      observed_on     TEXT NOT NULL,
      municipality    TEXT,
      severity        TEXT NOT NULL,
      persons         INTEGER,
      status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
      created_at_ms   INTEGER NOT NULL,
      submitted_by    TEXT NOT NULL,
      key_id          INTEGER NOT NULL,
      sealed          BLOB NOT NULL,
      share_state     TEXT NOT NULL DEFAULT 'pending' CHECK (share_state IN ('pending', 'decided')),
      revision        INTEGER NOT NULL DEFAULT 0,
      withdrawn_at_ms INTEGER
    );
    INSERT INTO signals_typed (rowid, id, category, observed_on, municipality, severity, persons, status, created_at_ms,
                            submitted_by, key_id, sealed, share_state, revision, withdrawn_at_ms)
      SELECT rowid, id, category, observed_on, municipality, severity, persons, status, created_at_ms,
             submitted_by, key_id, sealed, share_state, revision, withdrawn_at_ms FROM signals;
    DROP TABLE signals;
    ALTER TABLE signals_typed RENAME TO signals;
    CREATE INDEX signals_by_time ON signals(created_at_ms, id);
    CREATE INDEX signals_by_category ON signals(category, created_at_ms);
    CREATE INDEX signals_to_share ON signals(share_state) WHERE share_state = 'pending';

    CREATE TABLE outbox_typed (
      record_id          TEXT PRIMARY KEY,
      kind               TEXT NOT NULL DEFAULT 'shared_signal'
                         CHECK (kind IN ('shared_signal', 'withdrawal', 'correction', 'feedback', 'bundle_notice')),
      signal_id          TEXT REFERENCES signals(id) ON DELETE CASCADE,
      inbox_id           TEXT,
      refers_to          TEXT,
      recipient          TEXT NOT NULL,
      rule_id            TEXT NOT NULL,
      record             BLOB NOT NULL,
      state              TEXT NOT NULL
                         CHECK (state IN ('queued', 'sending', 'delivered', 'rejected', 'cancelled', 'void')),
      created_at_ms      INTEGER NOT NULL,
      attempts           INTEGER NOT NULL DEFAULT 0,
      next_attempt_at_ms INTEGER NOT NULL,
      last_error         TEXT,
      delivered_at_ms    INTEGER,
      reason             TEXT,
      batch_id           TEXT
    );
    INSERT INTO outbox_typed (rowid, record_id, kind, signal_id, inbox_id, refers_to, recipient, rule_id, record, state,
                           created_at_ms, attempts, next_attempt_at_ms, last_error, delivered_at_ms, reason, batch_id)
      SELECT rowid, record_id, kind, signal_id, inbox_id, refers_to, recipient, rule_id, record, state,
             created_at_ms, attempts, next_attempt_at_ms, last_error, delivered_at_ms, reason, batch_id FROM outbox;
    DROP TABLE outbox;
    ALTER TABLE outbox_typed RENAME TO outbox;
    CREATE INDEX outbox_due ON outbox(recipient, state, next_attempt_at_ms);
    CREATE INDEX outbox_by_signal ON outbox(signal_id, recipient);
    CREATE INDEX outbox_by_refers_to ON outbox(refers_to) WHERE refers_to IS NOT NULL;

    CREATE TABLE inbox_typed (
      id              TEXT PRIMARY KEY,
      sender          TEXT NOT NULL,
      sender_role     TEXT NOT NULL,
      record_id       TEXT NOT NULL,
      category        TEXT NOT NULL,
      observed_week   TEXT,
      municipality    TEXT,
      severity        TEXT,
      persons         INTEGER,
      rule_id         TEXT NOT NULL,
      policy_sha256   TEXT NOT NULL,
      received_at_ms  INTEGER NOT NULL,
      expires_at_ms   INTEGER NOT NULL,
      feedback_status TEXT CHECK (feedback_status IS NULL OR feedback_status IN ('received', 'assessed',
                        'investigation_started', 'inspection_planned', 'action_taken', 'no_follow_up', 'forwarded')),
      feedback_reason TEXT,
      feedback_at_ms  INTEGER,
      UNIQUE (sender, record_id)
    );
    INSERT INTO inbox_typed (rowid, id, sender, sender_role, record_id, category, observed_week, municipality, severity,
                          persons, rule_id, policy_sha256, received_at_ms, expires_at_ms, feedback_status,
                          feedback_reason, feedback_at_ms)
      SELECT rowid, id, sender, sender_role, record_id, category, observed_week, municipality, severity,
             persons, rule_id, policy_sha256, received_at_ms, expires_at_ms, feedback_status,
             feedback_reason, feedback_at_ms FROM inbox;
    DROP TABLE inbox;
    ALTER TABLE inbox_typed RENAME TO inbox;
    CREATE INDEX inbox_by_time ON inbox(received_at_ms, id);
    CREATE INDEX inbox_by_record ON inbox(record_id);

    -- A feedback row carries a status code; a bundle notice none (stored as '').
    CREATE TABLE signal_feedback_typed (
      message_id     TEXT PRIMARY KEY,
      signal_id      TEXT NOT NULL REFERENCES signals(id) ON DELETE CASCADE,
      partner        TEXT NOT NULL,
      record_id      TEXT NOT NULL,
      kind           TEXT NOT NULL CHECK (kind IN ('feedback', 'bundle_notice')),
      status         TEXT,
      reason         TEXT,
      note           TEXT,
      organisations  INTEGER,
      categories     TEXT,
      received_at_ms INTEGER NOT NULL,
      CHECK (CASE kind WHEN 'feedback' THEN status IS NOT NULL AND status IN ('received', 'assessed', 'investigation_started',
               'inspection_planned', 'action_taken', 'no_follow_up', 'forwarded')
             ELSE coalesce(status, '') = '' END)
    );
    INSERT INTO signal_feedback_typed (rowid, message_id, signal_id, partner, record_id, kind, status, reason, note,
                                    organisations, categories, received_at_ms)
      SELECT rowid, message_id, signal_id, partner, record_id, kind, status, reason, note,
             organisations, categories, received_at_ms FROM signal_feedback;
    DROP TABLE signal_feedback;
    ALTER TABLE signal_feedback_typed RENAME TO signal_feedback;
    CREATE INDEX signal_feedback_by_signal ON signal_feedback(signal_id, received_at_ms);

    CREATE TABLE alerts_typed (
      id             TEXT PRIMARY KEY,
      kind           TEXT NOT NULL CHECK (kind IN ('bundle', 'hit')),
      id_kind        TEXT NOT NULL,
      pseudonym      BLOB NOT NULL,
      organisations  TEXT NOT NULL,
      categories     TEXT NOT NULL,
      records        TEXT NOT NULL,
      first_seen_ms  INTEGER NOT NULL,
      last_seen_ms   INTEGER NOT NULL,
      updated_at_ms  INTEGER NOT NULL,
      signals        TEXT NOT NULL DEFAULT '[]',
      UNIQUE (pseudonym, kind)
    );
    INSERT INTO alerts_typed (rowid, id, kind, id_kind, pseudonym, organisations, categories, records, first_seen_ms,
                           last_seen_ms, updated_at_ms, signals)
      SELECT rowid, id, kind, id_kind, pseudonym, organisations, categories, records, first_seen_ms,
             last_seen_ms, updated_at_ms, signals FROM alerts;
    DROP TABLE alerts;
    ALTER TABLE alerts_typed RENAME TO alerts;
    CREATE INDEX alerts_by_update ON alerts(updated_at_ms, id);
  )sql");
}

// v10: matching that costs the same however many records a partner sends
// about one subject. Each subject row carries its record's sender and arrival
// (both fixed once received), and one index orders a pseudonym's rows by
// sender and time: the matcher finds the distinct senders by skipping through
// it (one seek each) and reads at most a bounded number of newest rows per
// sender, instead of every row ever received about the subject.
void v10_subjects_by_sender(Database& db) {
  db.exec(R"sql(
    ALTER TABLE inbox_subjects ADD COLUMN sender TEXT NOT NULL DEFAULT '';
    ALTER TABLE inbox_subjects ADD COLUMN received_at_ms INTEGER NOT NULL DEFAULT 0;
    UPDATE inbox_subjects SET sender = (SELECT i.sender FROM inbox i WHERE i.id = inbox_subjects.inbox_id),
                              received_at_ms = (SELECT i.received_at_ms FROM inbox i WHERE i.id = inbox_subjects.inbox_id);
    DROP INDEX inbox_subjects_by_pseudonym;
    CREATE INDEX inbox_subjects_by_pseudonym ON inbox_subjects(pseudonym, sender, received_at_ms);
  )sql");
}

// v11: growing delays after wrong passwords instead of a lock-out
// (node/auth/login_throttle.hpp). Counters per account name (known or not),
// per name at an address where it logged in before, and per client address;
// the addresses where each name logged in; the lock columns of v7 go.
void v11_login_throttle(Database& db) {
  db.exec(R"sql(
    CREATE TABLE login_throttle (
      key             TEXT PRIMARY KEY,
      failures        INTEGER NOT NULL,
      last_failure_ms INTEGER NOT NULL,
      wait_until_ms   INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX login_throttle_by_age ON login_throttle(last_failure_ms);
    CREATE TABLE login_known_clients (
      username        TEXT NOT NULL,
      client          TEXT NOT NULL,
      last_success_ms INTEGER NOT NULL,
      PRIMARY KEY (username, client)
    );
    CREATE INDEX login_known_clients_by_age ON login_known_clients(last_success_ms);
    ALTER TABLE users DROP COLUMN failed_logins;
    ALTER TABLE users DROP COLUMN locked_until_ms;
  )sql");
}

// v12: pseudonyms per domain (BRIEF 3.8, issue 15). A signal's identifier is
// linked once per domain it is pseudonymised in (this node's OIN, and each
// recipient's), and each link keeps its sealed VOPRF input so a new key epoch
// can queue it again. Links of earlier releases (mode 0x00, no domain) keep
// domain '' and no input; the node relinks them from the sealed signal at
// start (NodeApp), and their old pseudonyms are then forgotten.
void v12_pseudonym_domains(Database& db) {
  db.exec(R"sql(
    CREATE TABLE signal_identifiers_v12 (
      signal_id    TEXT NOT NULL REFERENCES signals(id) ON DELETE CASCADE,
      domain       TEXT NOT NULL,
      position     INTEGER NOT NULL,
      id_kind      TEXT NOT NULL,
      lookup_key   BLOB NOT NULL,
      sealed_input BLOB,
      PRIMARY KEY (signal_id, domain, position, id_kind)
    ) WITHOUT ROWID;
    INSERT INTO signal_identifiers_v12 (signal_id, domain, position, id_kind, lookup_key, sealed_input)
      SELECT signal_id, '', position, id_kind, lookup_key, NULL FROM signal_identifiers;
    DROP TABLE signal_identifiers;
    ALTER TABLE signal_identifiers_v12 RENAME TO signal_identifiers;
    CREATE INDEX signal_identifiers_by_key ON signal_identifiers(lookup_key);
    CREATE INDEX pseudonyms_by_epoch ON pseudonyms(key_epoch);
  )sql");
}

// v13: from a match to action (issue 16, docs/cases.md). Requests to a
// record's source and their answers travel as three new record kinds, so the
// outbox is rebuilt for its kind check, with a `sealed` flag for messages
// that carry identities (a disclosure's identifiers, a contact card): those
// rows hold the record sealed under the data key, never in plain. Staff gain
// the contact details a contact card is made of. Requests (both directions),
// cases with their alerts and sealed notes, and the per-user lookup budget.
void v13_cases_and_requests(Database& db) {
  db.exec(R"sql(
    ALTER TABLE users ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
    ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';
    ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';

    CREATE TABLE outbox_v13 (
      record_id          TEXT PRIMARY KEY,
      kind               TEXT NOT NULL DEFAULT 'shared_signal'
                         CHECK (kind IN ('shared_signal', 'withdrawal', 'correction', 'feedback', 'bundle_notice',
                                         'contact_request', 'details_request', 'request_answer')),
      signal_id          TEXT REFERENCES signals(id) ON DELETE CASCADE,
      inbox_id           TEXT,
      refers_to          TEXT,
      recipient          TEXT NOT NULL,
      rule_id            TEXT NOT NULL,
      record             BLOB NOT NULL,
      state              TEXT NOT NULL
                         CHECK (state IN ('queued', 'sending', 'delivered', 'rejected', 'cancelled', 'void')),
      created_at_ms      INTEGER NOT NULL,
      attempts           INTEGER NOT NULL DEFAULT 0,
      next_attempt_at_ms INTEGER NOT NULL,
      last_error         TEXT,
      delivered_at_ms    INTEGER,
      reason             TEXT,
      batch_id           TEXT,
      sealed             INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO outbox_v13 (rowid, record_id, kind, signal_id, inbox_id, refers_to, recipient, rule_id, record, state,
                            created_at_ms, attempts, next_attempt_at_ms, last_error, delivered_at_ms, reason, batch_id)
      SELECT rowid, record_id, kind, signal_id, inbox_id, refers_to, recipient, rule_id, record, state,
             created_at_ms, attempts, next_attempt_at_ms, last_error, delivered_at_ms, reason, batch_id FROM outbox;
    DROP TABLE outbox;
    ALTER TABLE outbox_v13 RENAME TO outbox;
    CREATE INDEX outbox_due ON outbox(recipient, state, next_attempt_at_ms);
    CREATE INDEX outbox_by_signal ON outbox(signal_id, recipient);
    CREATE INDEX outbox_by_refers_to ON outbox(refers_to) WHERE refers_to IS NOT NULL;

    CREATE TABLE requests (
      id             TEXT PRIMARY KEY,
      direction      TEXT NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
      type           TEXT NOT NULL CHECK (type IN ('contact', 'details')),
      partner        TEXT NOT NULL,
      record_id      TEXT NOT NULL,
      inbox_id       TEXT,
      signal_id      TEXT,
      rule_id        TEXT NOT NULL,
      kinds          TEXT NOT NULL DEFAULT '[]',
      purpose        TEXT NOT NULL,
      legal_ground   TEXT NOT NULL,
      reference      TEXT NOT NULL,
      case_id        TEXT,
      requested_by   TEXT NOT NULL,
      requester      BLOB,
      decider_role   TEXT,
      state          TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'refused', 'expired')),
      reason         TEXT,
      detail         TEXT,
      decided_by     TEXT,
      created_at_ms  INTEGER NOT NULL,
      deadline_ms    INTEGER NOT NULL,
      decided_at_ms  INTEGER,
      answer         BLOB,
      answer_expires_at_ms INTEGER,
      verified       INTEGER,
      trace_id       TEXT NOT NULL,
      UNIQUE (partner, direction, id)
    );
    CREATE INDEX requests_by_time ON requests(direction, created_at_ms);
    CREATE INDEX requests_pending ON requests(state, deadline_ms);
    CREATE INDEX requests_by_case ON requests(case_id) WHERE case_id IS NOT NULL;

    CREATE TABLE cases (
      id            TEXT PRIMARY KEY,
      reference     TEXT NOT NULL UNIQUE,
      status        TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'closed')),
      assignee      TEXT,
      due_date      TEXT,
      opened_by     TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL,
      updated_at_ms INTEGER NOT NULL
    );
    CREATE TABLE case_alerts (
      case_id  TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
      alert_id TEXT NOT NULL,
      added_at_ms INTEGER NOT NULL,
      PRIMARY KEY (case_id, alert_id)
    ) WITHOUT ROWID;
    CREATE INDEX case_alerts_by_alert ON case_alerts(alert_id);
    CREATE TABLE case_notes (
      case_id       TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
      position      INTEGER NOT NULL,
      author        TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL,
      note          BLOB NOT NULL,
      PRIMARY KEY (case_id, position)
    ) WITHOUT ROWID;

    -- One sealed random sample: proves at start that keys/data.key is the key
    -- this database's data was sealed under (issue 18).
    CREATE TABLE data_key_check (
      id     INTEGER PRIMARY KEY CHECK (id = 1),
      sample BLOB NOT NULL
    );

    CREATE TABLE lookup_budget (
      username TEXT NOT NULL,
      day      TEXT NOT NULL,
      used     INTEGER NOT NULL,
      PRIMARY KEY (username, day)
    ) WITHOUT ROWID;
  )sql");
}

// Notifications (issue 17, docs/notifications.md): notices raised in the
// transactions of what they are about, fanned out to users, turned into
// mails and webhook calls that wait durably until sent; users' choices and
// visits; the partners' log states seen in receipts.
void v14_notifications(Database& db) {
  db.exec(R"sql(
    CREATE TABLE notices (
      id            INTEGER PRIMARY KEY,
      topic         TEXT NOT NULL,
      username      TEXT,
      role          TEXT,
      item          TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL,
      CHECK ((username IS NULL) <> (role IS NULL))
    );
    CREATE TABLE notice_conditions (
      key          TEXT PRIMARY KEY,
      raised_at_ms INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE notify_state (
      name  TEXT PRIMARY KEY,
      value INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE user_notices (
      id            INTEGER PRIMARY KEY,
      username      TEXT NOT NULL,
      topic         TEXT NOT NULL,
      item          TEXT NOT NULL,
      notice_id     INTEGER NOT NULL,
      created_at_ms INTEGER NOT NULL,
      state         TEXT NOT NULL CHECK (state IN ('pending', 'messaged', 'unsent')),
      message_id    INTEGER,
      UNIQUE (notice_id, username)
    );
    CREATE INDEX user_notices_pending ON user_notices(state, username);
    CREATE INDEX user_notices_by_user ON user_notices(username, created_at_ms);
    CREATE TABLE notify_messages (
      id              INTEGER PRIMARY KEY,
      channel         TEXT NOT NULL CHECK (channel IN ('mail', 'webhook')),
      target          TEXT NOT NULL,
      subject         TEXT NOT NULL,
      body            TEXT NOT NULL,
      created_at_ms   INTEGER NOT NULL,
      attempts        INTEGER NOT NULL DEFAULT 0,
      next_attempt_ms INTEGER NOT NULL,
      last_error      TEXT,
      state           TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
      sent_at_ms      INTEGER
    );
    CREATE INDEX notify_messages_due ON notify_messages(state, next_attempt_ms);
    CREATE TABLE notify_prefs (
      username        TEXT PRIMARY KEY,
      mode            TEXT NOT NULL CHECK (mode IN ('immediate', 'digest', 'off')),
      language        TEXT NOT NULL CHECK (language IN ('nl', 'en')),
      last_digest_ms  INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE TABLE user_visits (
      username    TEXT PRIMARY KEY,
      previous_ms INTEGER NOT NULL,
      current_ms  INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE partner_tree_heads (
      partner      TEXT PRIMARY KEY,
      tree_size    INTEGER NOT NULL,
      timestamp_ms INTEGER NOT NULL,
      root         BLOB NOT NULL
    ) WITHOUT ROWID;
  )sql");
}

// v15: feedback deliberately withheld, and feedback periods (issue 17,
// docs/protocol.md). The feedback status columns accept `withheld`, exactly
// with one of its withholding reasons (and those reasons with no other
// status); SQLite adds a CHECK only by rebuilding the table, done as v9 did
// (rows copied with their rowids, indexes recreated, foreign keys off while
// migrate() runs this and checked before the commit). The inbox gains
// answered_at_ms: when this node first sent feedback other than `received`
// (an acknowledgement is no answer), so records past their rule's feedback
// period without an answer are counted from one partial index. Rows of
// earlier releases count as answered from their feedback time when their
// status was an answer. The outbox gets an index on delivered shared records
// by rule and delivery time, for the source's "no answer yet" count.
// The spellings are frozen here, as in v9.
void v15_feedback_withheld(Database& db) {
  db.exec(R"sql(
    CREATE TABLE inbox_v15 (
      id              TEXT PRIMARY KEY,
      sender          TEXT NOT NULL,
      sender_role     TEXT NOT NULL,
      record_id       TEXT NOT NULL,
      category        TEXT NOT NULL,
      observed_week   TEXT,
      municipality    TEXT,
      severity        TEXT,
      persons         INTEGER,
      rule_id         TEXT NOT NULL,
      policy_sha256   TEXT NOT NULL,
      received_at_ms  INTEGER NOT NULL,
      expires_at_ms   INTEGER NOT NULL,
      feedback_status TEXT CHECK (feedback_status IS NULL OR feedback_status IN ('received', 'assessed',
                        'investigation_started', 'inspection_planned', 'action_taken', 'no_follow_up', 'forwarded',
                        'withheld')),
      feedback_reason TEXT,
      feedback_at_ms  INTEGER,
      answered_at_ms  INTEGER,
      UNIQUE (sender, record_id),
      CHECK ((feedback_status = 'withheld') =
             (coalesce(feedback_reason, '') IN ('investigation_interest', 'legal_restriction', 'source_protection')))
    );
    INSERT INTO inbox_v15 (rowid, id, sender, sender_role, record_id, category, observed_week, municipality, severity,
                           persons, rule_id, policy_sha256, received_at_ms, expires_at_ms, feedback_status,
                           feedback_reason, feedback_at_ms, answered_at_ms)
      SELECT rowid, id, sender, sender_role, record_id, category, observed_week, municipality, severity,
             persons, rule_id, policy_sha256, received_at_ms, expires_at_ms, feedback_status,
             feedback_reason, feedback_at_ms,
             CASE WHEN feedback_status IS NOT NULL AND feedback_status <> 'received' THEN feedback_at_ms END
        FROM inbox;
    DROP TABLE inbox;
    ALTER TABLE inbox_v15 RENAME TO inbox;
    CREATE INDEX inbox_by_time ON inbox(received_at_ms, id);
    CREATE INDEX inbox_by_record ON inbox(record_id);
    CREATE INDEX inbox_unanswered ON inbox(rule_id, received_at_ms) WHERE answered_at_ms IS NULL;

    CREATE TABLE signal_feedback_v15 (
      message_id     TEXT PRIMARY KEY,
      signal_id      TEXT NOT NULL REFERENCES signals(id) ON DELETE CASCADE,
      partner        TEXT NOT NULL,
      record_id      TEXT NOT NULL,
      kind           TEXT NOT NULL CHECK (kind IN ('feedback', 'bundle_notice')),
      status         TEXT,
      reason         TEXT,
      note           TEXT,
      organisations  INTEGER,
      categories     TEXT,
      received_at_ms INTEGER NOT NULL,
      CHECK (CASE kind WHEN 'feedback' THEN status IS NOT NULL AND status IN ('received', 'assessed', 'investigation_started',
               'inspection_planned', 'action_taken', 'no_follow_up', 'forwarded', 'withheld')
             ELSE coalesce(status, '') = '' END),
      CHECK ((coalesce(status, '') = 'withheld') =
             (coalesce(reason, '') IN ('investigation_interest', 'legal_restriction', 'source_protection')))
    );
    INSERT INTO signal_feedback_v15 (rowid, message_id, signal_id, partner, record_id, kind, status, reason, note,
                                     organisations, categories, received_at_ms)
      SELECT rowid, message_id, signal_id, partner, record_id, kind, status, reason, note,
             organisations, categories, received_at_ms FROM signal_feedback;
    DROP TABLE signal_feedback;
    ALTER TABLE signal_feedback_v15 RENAME TO signal_feedback;
    CREATE INDEX signal_feedback_by_signal ON signal_feedback(signal_id, received_at_ms);

    CREATE INDEX outbox_delivered_by_rule ON outbox(rule_id, delivered_at_ms)
      WHERE kind = 'shared_signal' AND state = 'delivered';
  )sql");
}

// Issue 18: what a state-changing API call answered, by caller and
// Idempotency-Key, kept 24 hours (storage::IdempotencyKeys).
void v16_idempotency_keys(Database& db) {
  db.exec(R"sql(
    CREATE TABLE idempotency_keys (
      principal     TEXT NOT NULL,
      idem_key      TEXT NOT NULL CHECK (length(idem_key) BETWEEN 1 AND 64),
      fingerprint   TEXT NOT NULL,
      status        INTEGER NOT NULL,
      content_type  TEXT NOT NULL,
      headers       TEXT NOT NULL,
      body          TEXT NOT NULL,
      body_kept     INTEGER NOT NULL CHECK (body_kept IN (0, 1)),
      created_at_ms INTEGER NOT NULL,
      PRIMARY KEY (principal, idem_key)
    ) WITHOUT ROWID;
    CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_at_ms);
  )sql");
}

// Issue 18: signals decided while a partner was not granted them reach it
// once a new covenant or manifest does (sharing::Outbox::catch_up): where the
// walk over decided signals stands, and the signals waiting for pseudonyms
// in a partner's domain.
void v17_catch_up(Database& db) {
  db.exec(R"sql(
    CREATE TABLE catch_up_state (
      id         INTEGER PRIMARY KEY CHECK (id = 1),
      done_under TEXT NOT NULL,
      walking    TEXT,
      after_ms   INTEGER NOT NULL,
      after_id   TEXT NOT NULL
    );
    CREATE TABLE catch_up_waiting (
      signal_id TEXT NOT NULL REFERENCES signals(id) ON DELETE CASCADE,
      recipient TEXT NOT NULL,
      PRIMARY KEY (signal_id, recipient)
    ) WITHOUT ROWID;
  )sql");
}

// Issue 18: a node restored from a backup asks each partner which of its
// records it holds (sharing::Reconcile): how far, per partner ("*": every
// partner of the manifest, expanded at the next start), and since when.
void v18_reconcile_after_restore(Database& db) {
  db.exec(R"sql(
    CREATE TABLE reconcile_partners (
      partner  TEXT PRIMARY KEY,
      after    TEXT NOT NULL,
      since_ms INTEGER NOT NULL,
      restored_at_ms INTEGER NOT NULL,
      orphans  INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE INDEX inbox_by_sender_record ON inbox(sender, record_id);
  )sql");
}

// Issue 19: what retention deletes is found by index. Received records by
// their expiry (retention used to read the whole inbox and every subject of
// it, holding the writer, at start and hourly); disclosed answers by theirs
// (the minute's sweep read every request). Self-contained, so that it keeps
// its meaning whatever number it ends up with.
void v19_store_indexes(Database& db) {
  db.exec(R"sql(
    CREATE INDEX IF NOT EXISTS inbox_by_expiry ON inbox(expires_at_ms);
    CREATE INDEX IF NOT EXISTS requests_answer_expiry ON requests(answer_expires_at_ms) WHERE answer IS NOT NULL;
  )sql");
}

// Issue 24: Logboek Dataverwerkingen. The read API finds records by trace
// and by processing activity through an index, not by reading every leaf
// (older events get their trace from their leaf; their activity stays empty:
// they were written before the register). The register of processing
// activities keeps every version of every covenant rule it has seen.
// (Self-contained, so that it keeps its meaning whatever number it ends up with.)
void v20_ldv(Database& db) {
  db.exec(R"sql(
    ALTER TABLE audit_events ADD COLUMN trace_id TEXT;
    ALTER TABLE audit_events ADD COLUMN activity TEXT;
    -- An event about n subjects is n records: 0 for the first (counted as
    -- the event by the charts and the report), 1.. for the others.
    ALTER TABLE audit_events ADD COLUMN part INTEGER NOT NULL DEFAULT 0;
    UPDATE audit_events SET trace_id = json_extract(CAST(leaf AS TEXT), '$.traceId')
      WHERE leaf IS NOT NULL AND json_valid(CAST(leaf AS TEXT));
    CREATE INDEX audit_by_trace ON audit_events(trace_id) WHERE trace_id IS NOT NULL;
    CREATE INDEX audit_by_activity ON audit_events(activity) WHERE activity IS NOT NULL;
    CREATE TABLE processing_register (
      id            TEXT PRIMARY KEY,
      rule          TEXT NOT NULL,
      entry         TEXT NOT NULL,
      first_seen_ms INTEGER NOT NULL,
      current       INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
  )sql");
}

// Issue 21: second factors of web accounts. A TOTP key is sealed under a key
// derived from the data key (the username is the associated data) and keeps
// the last time step it accepted, so a code is never taken twice; recovery
// codes are kept as keyed hashes; a passkey as its public key (DER) and sign
// counter. WebAuthn challenges and the tickets between password and second
// factor are kept as SHA-256 only and live minutes. A session remembers its
// last proof (step-up) and whether it may only enrol a factor.
void v21_second_factors(Database& db) {
  db.exec(R"sql(
    CREATE TABLE totp_factors (
      username        TEXT PRIMARY KEY REFERENCES users(username) ON DELETE CASCADE,
      sealed_secret   BLOB NOT NULL,
      confirmed_at_ms INTEGER,
      last_step       INTEGER NOT NULL DEFAULT 0,
      created_at_ms   INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE recovery_codes (
      username   TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
      code_hash  BLOB NOT NULL,
      used_at_ms INTEGER,
      PRIMARY KEY (username, code_hash)
    ) WITHOUT ROWID;
    CREATE TABLE passkeys (
      credential_id BLOB PRIMARY KEY,
      username      TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
      name          TEXT NOT NULL,
      public_key    BLOB NOT NULL,
      algorithm     INTEGER NOT NULL,
      sign_count    INTEGER NOT NULL,
      created_at_ms INTEGER NOT NULL,
      last_used_ms  INTEGER
    );
    CREATE INDEX passkeys_by_user ON passkeys(username);
    CREATE TABLE webauthn_challenges (
      challenge_hash BLOB PRIMARY KEY,
      username       TEXT,
      purpose        TEXT NOT NULL,
      expires_at_ms  INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE login_pending (
      ticket_hash   BLOB PRIMARY KEY,
      username      TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
      client        TEXT NOT NULL,
      expires_at_ms INTEGER NOT NULL,
      failures      INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    ALTER TABLE users ADD COLUMN user_handle BLOB;
    ALTER TABLE sessions ADD COLUMN proof_at_ms INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN must_enrol INTEGER NOT NULL DEFAULT 0;
  )sql");
}

// v22 (issue 21): sign-in through the organisation's identity provider
// (OpenID Connect) and teams. oidc_states: one row per started sign-in, by
// SHA-256 of its state, with the SHA-256 of the value the browser's cookie
// carries, the nonce and the PKCE code verifier (emptied once used); 10
// minutes, used once (used_at_ms kept until it expires, so a replay is
// recognised as one). oidc_accounts: which provider's subject an account is.
// users.team: the team inside the organisation ('' for the whole of it).
void v22_oidc_teams(Database& db) {
  db.exec(R"sql(
    CREATE TABLE oidc_states (
      state_hash    BLOB PRIMARY KEY,
      binding_hash  BLOB NOT NULL,
      nonce         TEXT NOT NULL,
      code_verifier TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL,
      expires_at_ms INTEGER NOT NULL,
      used_at_ms    INTEGER
    ) WITHOUT ROWID;
    CREATE TABLE oidc_accounts (
      issuer       TEXT NOT NULL,
      subject      TEXT NOT NULL,
      username     TEXT NOT NULL UNIQUE REFERENCES users(username) ON DELETE CASCADE,
      linked_at_ms INTEGER NOT NULL,
      PRIMARY KEY (issuer, subject)
    ) WITHOUT ROWID;
    ALTER TABLE users ADD COLUMN team TEXT NOT NULL DEFAULT '';
  )sql");
}

}  // namespace

const std::vector<Migration>& node_migrations() {
  static const std::vector<Migration> migrations = {v1_signals_and_tokens, v2_pseudonyms, v3_sharing, v4_audit,
                                                    v5_alerts, v6_follow_up, v7_users, v8_pseudonym_queue_set_aside, v9_typed_states,
                                                    v10_subjects_by_sender, v11_login_throttle, v12_pseudonym_domains,
                                                    v13_cases_and_requests, v14_notifications, v15_feedback_withheld,
                                                    v16_idempotency_keys, v17_catch_up, v18_reconcile_after_restore,
                                                    v19_store_indexes, v20_ldv,
                                                    v21_second_factors, v22_oidc_teams};
  return migrations;
}

}  // namespace signalnode::node::storage
