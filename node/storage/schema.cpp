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

}  // namespace

const std::vector<Migration>& node_migrations() {
  static const std::vector<Migration> migrations = {v1_signals_and_tokens, v2_pseudonyms};
  return migrations;
}

}  // namespace signalnode::node::storage
