#include "store/schema.h"

#include <array>
#include <string>

#include "store/audit_chain.h"

namespace aegis::store {
namespace {

// One schema step: `sql`, then `code` (for what SQL cannot compute, such as
// SHA-256), then `sql_after`; all inside the transaction of Migrate.
struct Migration {
  const char* sql;
  Result<void, StoreError> (*code)(Database&) = nullptr;
  const char* sql_after = nullptr;
};

// Never edit a shipped migration; append a new one.
constexpr std::array<Migration, 4> kMigrations = {{
    // 1: API keys, room policy, append-only audit log.
    {R"sql(
CREATE TABLE api_keys (
  key_id     TEXT PRIMARY KEY NOT NULL CHECK (length(key_id) BETWEEN 1 AND 64),
  secret     BLOB NOT NULL CHECK (length(secret) BETWEEN 32 AND 64),
  created_at INTEGER NOT NULL,
  revoked    INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
);
CREATE TABLE room_policy (
  room_id          TEXT PRIMARY KEY NOT NULL CHECK (length(room_id) BETWEEN 1 AND 256),
  e2ee_required    INTEGER NOT NULL CHECK (e2ee_required IN (0, 1)),
  max_participants INTEGER NOT NULL CHECK (max_participants BETWEEN 1 AND 100000)
);
CREATE TABLE audit_log (
  seq    INTEGER PRIMARY KEY AUTOINCREMENT,
  time   INTEGER NOT NULL,
  actor  TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
)sql"},
    // 2: the audit log becomes a hash chain (store/audit_chain.h,
    // docs/audit.md). Rows already there are chained in seq order from the
    // genesis value: the chain vouches for them from this migration on, not
    // for what happened to them before. The update trigger is lifted only
    // inside this transaction to fill the new columns.
    {R"sql(
ALTER TABLE audit_log ADD COLUMN node TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN prev_hash BLOB;
ALTER TABLE audit_log ADD COLUMN hash BLOB;
DROP TRIGGER audit_log_no_update;
)sql",
     ChainExistingAuditRows,
     R"sql(
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log
  WHEN typeof(NEW.prev_hash) != 'blob' OR length(NEW.prev_hash) != 32
    OR typeof(NEW.hash) != 'blob' OR length(NEW.hash) != 32
  BEGIN SELECT RAISE(ABORT, 'audit_log rows are chained: prev_hash and hash are 32 bytes'); END;
)sql"},
    // 3: room lobbies, and revoked tokens (aegis token revoke): by jti, or by
    // room and identity for tokens issued at or before `time`.
    {R"sql(
ALTER TABLE room_policy ADD COLUMN lobby INTEGER NOT NULL DEFAULT 0 CHECK (lobby IN (0, 1));
CREATE TABLE revocations (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  time     INTEGER NOT NULL,
  room_id  TEXT NOT NULL CHECK (length(room_id) BETWEEN 1 AND 256),
  identity TEXT CHECK (identity IS NULL OR length(identity) BETWEEN 1 AND 256),
  token_id TEXT CHECK (token_id IS NULL OR length(token_id) BETWEEN 1 AND 256),
  CHECK (identity IS NOT NULL OR token_id IS NOT NULL)
);
CREATE INDEX revocations_by_identity ON revocations (room_id, identity);
CREATE INDEX revocations_by_token ON revocations (token_id);
)sql"},
    // 4: relay-only rooms (aegis room policy --relay-only on).
    {R"sql(
ALTER TABLE room_policy ADD COLUMN relay_only INTEGER NOT NULL DEFAULT 0 CHECK (relay_only IN (0, 1));
)sql"},
}};

Result<int, StoreError> ReadVersion(Database& db) {
  auto stmt = db.Prepare("SELECT coalesce(max(version), 0) FROM schema_version");
  if (!stmt) return Err{stmt.error()};
  if (stmt->Next() != Statement::Step::kRow) return Err{stmt->LastError()};
  return static_cast<int>(stmt->ColumnInt(0));
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Result<int, StoreError> SchemaVersion(Database& db) {
  if (auto r = db.ExecScript("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY NOT NULL)"); !r) {
    return Err{r.error()};
  }
  return ReadVersion(db);
}

Result<int, StoreError> Migrate(Database& db) { return MigrateTo(db, LatestSchemaVersion()); }

Result<int, StoreError> MigrateTo(Database& db, int target) {
  if (target < 0 || target > LatestSchemaVersion()) {
    return Err{StoreError{StoreErrorCode::kInvalidArgument, "no schema version " + std::to_string(target)}};
  }
  auto tx = Transaction::Begin(db);
  if (!tx) return Err{tx.error()};
  auto found = SchemaVersion(db);
  if (!found) return found;
  const int from = *found;
  if (from > LatestSchemaVersion()) {
    return Err{StoreError{StoreErrorCode::kSchemaTooNew,
                          "database schema version " + std::to_string(from) + " is newer than this aegis supports (" +
                              std::to_string(LatestSchemaVersion()) + "); upgrade aegis"}};
  }
  auto record = db.Prepare("INSERT INTO schema_version (version) VALUES (?1)");
  if (!record) return Err{record.error()};
  for (int v = from + 1; v <= target; ++v) {
    const Migration& m = kMigrations[static_cast<size_t>(v - 1)];
    if (auto r = db.ExecScript(m.sql); !r) return Err{r.error()};
    if (m.code != nullptr) {
      if (auto r = m.code(db); !r) return Err{r.error()};
    }
    if (m.sql_after != nullptr) {
      if (auto r = db.ExecScript(m.sql_after); !r) return Err{r.error()};
    }
    record->Reset();
    if (!record->BindInt(1, v)) return Err{record->LastError()};
    if (auto r = record->Run(); !r) return Err{r.error()};
  }
  if (auto r = tx->Commit(); !r) return Err{r.error()};
  return from;
}

}  // namespace aegis::store
