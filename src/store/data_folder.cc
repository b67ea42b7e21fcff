#include "store/data_folder.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>

#include "base/hex.h"
#include "crypto/secure_random.h"
#include "store/schema.h"
#include "store/secure_path.h"

namespace aegis::store {
namespace {

StoreError Invalid(std::string message) { return StoreError{StoreErrorCode::kInvalidArgument, std::move(message)}; }

// Runs a pragma and checks the single value it reports.
Result<void, StoreError> Pragma(Database& db, const char* sql, std::string_view expected) {
  auto stmt = db.Prepare(sql);
  if (!stmt) return Err{stmt.error()};
  if (stmt->Next() != Statement::Step::kRow) return Err{stmt->LastError()};
  if (stmt->ColumnText(0) != expected) {
    return Err{StoreError{StoreErrorCode::kSqlite, std::string(sql) + " did not take effect"}};
  }
  return {};
}

Result<ApiKey, StoreError> ReadKey(Statement& stmt) {
  ApiKey key;
  key.key_id = stmt.ColumnText(0);
  auto secret = stmt.ColumnBlob(1);
  if (secret.size() < kApiSecretSize || secret.size() > crypto::SecretBytes::kCapacity) {
    return Err{StoreError{StoreErrorCode::kSqlite, "api key " + key.key_id + " has a secret of the wrong size"}};
  }
  key.secret = crypto::SecretBytes(secret);
  key.created_at = stmt.ColumnInt(2);
  key.revoked = stmt.ColumnInt(3) != 0;
  return key;
}

}  // namespace

Result<DataFolder, StoreError> DataFolder::Open(const std::string& path) {
  crypto::SecureRandom random;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return Open(path, random, static_cast<int64_t>(now));
}

Result<DataFolder, StoreError> DataFolder::Open(const std::string& path, RandomSource& random, int64_t now_unix_s) {
  std::string folder = path;
  while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
  if (auto r = EnsureSecureFolder(folder); !r) return Err{r.error()};
  const std::string db_path = folder + "/" + kDatabaseName;
  // Create the file ourselves with 0600 before SQLite sees it; SQLite gives
  // its -wal and -shm files the same mode as the database.
  if (auto r = EnsureSecureFile(db_path); !r) return Err{r.error()};
  auto db = Database::Open(db_path);
  if (!db) return Err{db.error()};

  if (auto r = Pragma(*db, "PRAGMA journal_mode = WAL", "wal"); !r) return Err{r.error()};
  if (auto r = db->ExecScript("PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;"); !r) return Err{r.error()};
  if (auto r = Pragma(*db, "PRAGMA foreign_keys", "1"); !r) return Err{r.error()};
  if (auto r = Migrate(*db); !r) return Err{r.error()};

  DataFolder data(std::move(folder), std::move(*db));
  // First run: one API key. In a write transaction so two processes opening
  // a fresh folder at once do not both create one.
  auto tx = Transaction::Begin(data.db_);
  if (!tx) return Err{tx.error()};
  auto current = data.CurrentApiKey();
  if (!current) {
    if (current.error().code != StoreErrorCode::kNotFound) return Err{current.error()};
    auto created = data.InsertApiKey(random, now_unix_s);
    if (!created) return Err{created.error()};
    data.created_api_key_ = true;
  }
  if (auto r = tx->Commit(); !r) return Err{r.error()};
  return data;
}

Result<ApiKey, StoreError> DataFolder::CurrentApiKey() {
  auto stmt = db_.Prepare(
      "SELECT key_id, secret, created_at, revoked FROM api_keys WHERE revoked = 0 "
      "ORDER BY created_at DESC, rowid DESC LIMIT 1");
  if (!stmt) return Err{stmt.error()};
  switch (stmt->Next()) {
    case Statement::Step::kRow: return ReadKey(*stmt);
    case Statement::Step::kDone: return Err{StoreError{StoreErrorCode::kNotFound, "no API key that is not revoked"}};
    case Statement::Step::kError: break;
  }
  return Err{stmt->LastError()};
}

Result<ApiKey, StoreError> DataFolder::InsertApiKey(RandomSource& random, int64_t now_unix_s) {
  std::array<uint8_t, 8> id_bytes;
  random.Fill(id_bytes);
  ApiKey key;
  key.key_id = "ak_" + ToHex(id_bytes);
  std::array<uint8_t, kApiSecretSize> secret;
  random.Fill(secret);
  key.secret = crypto::SecretBytes(secret);
  crypto::SecureWipe(secret);
  key.created_at = now_unix_s;

  auto stmt = db_.Prepare("INSERT INTO api_keys (key_id, secret, created_at, revoked) VALUES (?1, ?2, ?3, 0)");
  if (!stmt) return Err{stmt.error()};
  if (!stmt->BindText(1, key.key_id) || !stmt->BindBlob(2, key.secret.view()) || !stmt->BindInt(3, now_unix_s)) {
    return Err{stmt->LastError()};
  }
  if (auto r = stmt->Run(); !r) return Err{r.error()};
  return key;
}

Result<ApiKey, StoreError> DataFolder::CreateApiKey(RandomSource& random, int64_t now_unix_s) {
  return InsertApiKey(random, now_unix_s);
}

Result<void, StoreError> DataFolder::RevokeApiKey(std::string_view key_id) {
  auto stmt = db_.Prepare("UPDATE api_keys SET revoked = 1 WHERE key_id = ?1");
  if (!stmt) return Err{stmt.error()};
  if (!stmt->BindText(1, key_id)) return Err{stmt->LastError()};
  if (auto r = stmt->Run(); !r) return r;
  if (db_.Changes() == 0) return Err{StoreError{StoreErrorCode::kNotFound, "no such API key"}};
  return {};
}

Result<std::vector<std::string>, StoreError> DataFolder::ApiKeyIds() {
  auto stmt = db_.Prepare("SELECT key_id FROM api_keys ORDER BY created_at, rowid");
  if (!stmt) return Err{stmt.error()};
  std::vector<std::string> ids;
  for (;;) {
    switch (stmt->Next()) {
      case Statement::Step::kRow: ids.push_back(stmt->ColumnText(0)); continue;
      case Statement::Step::kDone: return ids;
      case Statement::Step::kError: return Err{stmt->LastError()};
    }
  }
}

Result<void, StoreError> DataFolder::PutRoomPolicy(const RoomPolicy& policy) {
  if (policy.room_id.empty() || policy.room_id.size() > kMaxRoomIdSize) {
    return Err{Invalid("room id must be 1.." + std::to_string(kMaxRoomIdSize) + " bytes")};
  }
  if (policy.max_participants < 1 || policy.max_participants > kMaxParticipantsLimit) {
    return Err{Invalid("max_participants must be 1.." + std::to_string(kMaxParticipantsLimit))};
  }
  auto stmt = db_.Prepare(
      "INSERT INTO room_policy (room_id, e2ee_required, max_participants, lobby, relay_only) "
      "VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT (room_id) DO UPDATE SET e2ee_required = excluded.e2ee_required, "
      "max_participants = excluded.max_participants, lobby = excluded.lobby, relay_only = excluded.relay_only");
  if (!stmt) return Err{stmt.error()};
  if (!stmt->BindText(1, policy.room_id) || !stmt->BindInt(2, policy.e2ee_required ? 1 : 0) ||
      !stmt->BindInt(3, policy.max_participants) || !stmt->BindInt(4, policy.lobby ? 1 : 0) ||
      !stmt->BindInt(5, policy.relay_only ? 1 : 0)) {
    return Err{stmt->LastError()};
  }
  return stmt->Run();
}

Result<std::optional<RoomPolicy>, StoreError> DataFolder::GetRoomPolicy(std::string_view room_id) {
  auto stmt =
      db_.Prepare("SELECT room_id, e2ee_required, max_participants, lobby, relay_only FROM room_policy "
                  "WHERE room_id = ?1");
  if (!stmt) return Err{stmt.error()};
  if (!stmt->BindText(1, room_id)) return Err{stmt->LastError()};
  switch (stmt->Next()) {
    case Statement::Step::kRow:
      return std::optional<RoomPolicy>(
          RoomPolicy{stmt->ColumnText(0), stmt->ColumnInt(1) != 0, stmt->ColumnInt(2), stmt->ColumnInt(3) != 0,
                     stmt->ColumnInt(4) != 0});
    case Statement::Step::kDone: return std::optional<RoomPolicy>();
    case Statement::Step::kError: break;
  }
  return Err{stmt->LastError()};
}

Result<int64_t, StoreError> DataFolder::AddRevocation(const Revocation& r, std::string_view actor) {
  auto bad_field = [](const std::optional<std::string>& f) { return f && (f->empty() || f->size() > kMaxRoomIdSize); };
  if (r.room_id.empty() || r.room_id.size() > kMaxRoomIdSize || bad_field(r.identity) || bad_field(r.token_id) ||
      (!r.identity && !r.token_id)) {
    return Err{Invalid("a revocation names a room (1.." + std::to_string(kMaxRoomIdSize) +
                       " bytes) and an identity or a token id")};
  }
  auto tx = Transaction::Begin(db_);
  if (!tx) return Err{tx.error()};
  auto stmt = db_.Prepare("INSERT INTO revocations (time, room_id, identity, token_id) VALUES (?1, ?2, ?3, ?4)");
  if (!stmt) return Err{stmt.error()};
  auto bind_optional = [&](int index, const std::optional<std::string>& v) {
    return v ? stmt->BindText(index, *v) : stmt->BindNull(index);
  };
  if (!stmt->BindInt(1, r.time_unix_s) || !stmt->BindText(2, r.room_id) || !bind_optional(3, r.identity) ||
      !bind_optional(4, r.token_id)) {
    return Err{stmt->LastError()};
  }
  if (auto run = stmt->Run(); !run) return Err{run.error()};
  const int64_t seq = db_.LastInsertRowId();
  const std::string detail = "room=" + r.room_id + (r.identity ? " identity=" + *r.identity : "") +
                             (r.token_id ? " jti=" + *r.token_id : "");
  if (auto logged = AppendAudit(r.time_unix_s, actor, "token.revoke", detail); !logged) return Err{logged.error()};
  if (auto c = tx->Commit(); !c) return Err{c.error()};
  return seq;
}

Result<bool, StoreError> DataFolder::IsRevoked(std::string_view room_id, std::string_view identity,
                                               const std::optional<std::string>& token_id,
                                               int64_t issued_at_unix_s) {
  auto stmt = db_.Prepare(
      "SELECT 1 FROM revocations WHERE (token_id IS NOT NULL AND token_id = ?3) OR "
      "(room_id = ?1 AND identity = ?2 AND ?4 <= time) LIMIT 1");
  if (!stmt) return Err{stmt.error()};
  const bool bound = stmt->BindText(1, room_id) && stmt->BindText(2, identity) &&
                     (token_id ? stmt->BindText(3, *token_id) : stmt->BindNull(3)) &&
                     stmt->BindInt(4, issued_at_unix_s);
  if (!bound) return Err{stmt->LastError()};
  switch (stmt->Next()) {
    case Statement::Step::kRow: return true;
    case Statement::Step::kDone: return false;
    case Statement::Step::kError: break;
  }
  return Err{stmt->LastError()};
}

Result<std::vector<Revocation>, StoreError> DataFolder::ReadRevocations(int64_t after_seq, size_t limit) {
  auto stmt = db_.Prepare(
      "SELECT seq, time, room_id, identity, token_id FROM revocations WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  if (!stmt) return Err{stmt.error()};
  if (!stmt->BindInt(1, after_seq) || !stmt->BindInt(2, static_cast<int64_t>(limit))) return Err{stmt->LastError()};
  std::vector<Revocation> out;
  for (;;) {
    switch (stmt->Next()) {
      case Statement::Step::kRow: {
        Revocation r;
        r.seq = stmt->ColumnInt(0);
        r.time_unix_s = stmt->ColumnInt(1);
        r.room_id = stmt->ColumnText(2);
        if (!stmt->ColumnIsNull(3)) r.identity = stmt->ColumnText(3);
        if (!stmt->ColumnIsNull(4)) r.token_id = stmt->ColumnText(4);
        out.push_back(std::move(r));
        break;
      }
      case Statement::Step::kDone: return out;
      case Statement::Step::kError: return Err{stmt->LastError()};
    }
  }
}

Result<int64_t, StoreError> DataFolder::AppendAudit(int64_t time_unix_s, std::string_view actor,
                                                    std::string_view action, std::string_view detail,
                                                    std::string_view node) {
  if (actor.size() > kMaxAuditFieldSize || action.size() > kMaxAuditFieldSize || detail.size() > kMaxAuditFieldSize ||
      node.size() > kMaxAuditFieldSize) {
    return Err{Invalid("audit field over " + std::to_string(kMaxAuditFieldSize) + " bytes")};
  }
  // Reading the head and inserting the row chained to it must be one
  // transaction: BEGIN IMMEDIATE takes the write lock first, so another
  // writer (the server, a CLI command) cannot chain from the same head.
  if (db_.InTransaction()) return AppendChainedAuditRow(db_, time_unix_s, actor, action, detail, node);
  auto tx = Transaction::Begin(db_);
  if (!tx) return Err{tx.error()};
  auto seq = AppendChainedAuditRow(db_, time_unix_s, actor, action, detail, node);
  if (!seq) return seq;
  if (auto r = tx->Commit(); !r) return Err{r.error()};
  return seq;
}

namespace {

Result<std::vector<AuditEntry>, StoreError> ReadAuditRows(Statement& stmt) {
  std::vector<AuditEntry> entries;
  for (;;) {
    switch (stmt.Next()) {
      case Statement::Step::kRow: {
        AuditEntry e{stmt.ColumnInt(0), stmt.ColumnInt(1), stmt.ColumnText(2), stmt.ColumnText(3),
                     stmt.ColumnText(4), stmt.ColumnText(5)};
        // Malformed hashes read as zeros here; VerifyAudit is what judges them.
        for (int column : {6, 7}) {
          auto bytes = stmt.ColumnBlob(column);
          if (bytes.size() == kAuditHashSize) {
            std::copy(bytes.begin(), bytes.end(), (column == 6 ? e.prev_hash : e.hash).begin());
          }
        }
        entries.push_back(std::move(e));
        continue;
      }
      case Statement::Step::kDone: return entries;
      case Statement::Step::kError: return Err{stmt.LastError()};
    }
  }
}

}  // namespace

Result<std::vector<AuditEntry>, StoreError> DataFolder::ReadAudit(int64_t after_seq, size_t limit) {
  auto stmt = db_.Prepare(
      "SELECT seq, time, actor, action, detail, node, prev_hash, hash FROM audit_log WHERE seq > ?1 "
      "ORDER BY seq LIMIT ?2");
  if (!stmt) return Err{stmt.error()};
  if (!stmt->BindInt(1, after_seq) || !stmt->BindInt(2, static_cast<int64_t>(limit))) return Err{stmt->LastError()};
  return ReadAuditRows(*stmt);
}

Result<std::vector<AuditEntry>, StoreError> DataFolder::ReadLatestAudit(size_t count) {
  auto stmt = db_.Prepare(
      "SELECT * FROM (SELECT seq, time, actor, action, detail, node, prev_hash, hash FROM audit_log "
      "ORDER BY seq DESC LIMIT ?1) ORDER BY seq");
  if (!stmt) return Err{stmt.error()};
  if (!stmt->BindInt(1, static_cast<int64_t>(count))) return Err{stmt->LastError()};
  return ReadAuditRows(*stmt);
}

Result<AuditVerification, StoreError> DataFolder::VerifyAudit(const std::optional<AuditAnchor>& anchor) {
  return VerifyAuditChain(db_, anchor);
}

}  // namespace aegis::store
