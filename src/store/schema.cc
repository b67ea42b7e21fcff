#include "store/schema.h"

#include <array>
#include <string>

namespace aegis::store {
namespace {

// Never edit a shipped migration; append a new one.
constexpr std::array<const char*, 1> kMigrations = {
    // 1: API keys, room policy, append-only audit log.
    R"sql(
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
)sql",
};

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

Result<int, StoreError> Migrate(Database& db) {
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
  for (int v = from + 1; v <= LatestSchemaVersion(); ++v) {
    if (auto r = db.ExecScript(kMigrations[static_cast<size_t>(v - 1)]); !r) return Err{r.error()};
    record->Reset();
    if (!record->BindInt(1, v)) return Err{record->LastError()};
    if (auto r = record->Run(); !r) return Err{r.error()};
  }
  if (auto r = tx->Commit(); !r) return Err{r.error()};
  return from;
}

}  // namespace aegis::store
