// The server's data folder: created on first run with mode 0700, holding
// aegis.db (mode 0600), a SQLite database in WAL mode with foreign keys on.
//
//   api_keys     key_id, secret (32 random bytes, stored as-is: the file is
//                readable by our user only), created_at, revoked
//   room_policy  room_id, e2ee_required, max_participants, lobby, relay_only
//   audit_log    seq, time, actor, action, detail, node, prev_hash, hash;
//                append-only (triggers refuse UPDATE and DELETE, and this API
//                only appends) and a SHA-256 hash chain (store/audit_chain.h,
//                docs/audit.md) so that editing or removing rows is detected
//
// The first Open creates one API key; later opens reuse it. Every value goes
// through a prepared statement, so a room id like "x'; DROP TABLE ..." is
// just a room id. Randomness and time are injected; Open(path) alone uses
// crypto::SecureRandom and the system clock, for the program's edge.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/random.h"
#include "base/result.h"
#include "crypto/secure_memory.h"
#include "store/audit_chain.h"
#include "store/sqlite.h"
#include "store/store_error.h"

namespace aegis::store {

inline constexpr size_t kApiSecretSize = 32;
inline constexpr size_t kMaxRoomIdSize = 256;
inline constexpr int64_t kMaxParticipantsLimit = 100000;
inline constexpr size_t kMaxAuditFieldSize = 4096;

struct ApiKey {
  std::string key_id;
  crypto::SecretBytes secret;
  int64_t created_at = 0;
  bool revoked = false;
};

struct RoomPolicy {
  std::string room_id;
  bool e2ee_required = false;
  int64_t max_participants = 0;
  bool lobby = false;  // joiners without room_admin wait for an admin
  // Media only through the TURN relay: participants' own addresses never
  // reach the media server (the server takes ICE checks only from relays).
  bool relay_only = false;
  bool operator==(const RoomPolicy&) const = default;
};

// A revoked token (aegis token revoke): the one with `token_id`, or every
// token of `identity` in `room_id` issued at or before `time_unix_s`.
struct Revocation {
  int64_t seq = 0;  // set by the store
  int64_t time_unix_s = 0;
  std::string room_id;
  std::optional<std::string> identity;
  std::optional<std::string> token_id;
  bool operator==(const Revocation&) const = default;
};

class DataFolder {
 public:
  static constexpr const char* kDatabaseName = "aegis.db";

  static Result<DataFolder, StoreError> Open(const std::string& path);
  static Result<DataFolder, StoreError> Open(const std::string& path, RandomSource& random, int64_t now_unix_s);

  const std::string& path() const { return path_; }
  std::string database_path() const { return path_ + "/" + kDatabaseName; }
  // True when this Open created the first API key (a fresh folder).
  bool created_api_key() const { return created_api_key_; }

  // API keys. The current key is the newest one not revoked.
  Result<ApiKey, StoreError> CurrentApiKey();
  Result<ApiKey, StoreError> CreateApiKey(RandomSource& random, int64_t now_unix_s);
  Result<void, StoreError> RevokeApiKey(std::string_view key_id);
  Result<std::vector<std::string>, StoreError> ApiKeyIds();

  // Room policy: insert or replace; nullopt for a room without one.
  Result<void, StoreError> PutRoomPolicy(const RoomPolicy& policy);
  Result<std::optional<RoomPolicy>, StoreError> GetRoomPolicy(std::string_view room_id);

  // Revocations: AddRevocation stores one and its audit row in one
  // transaction and returns its seq; IsRevoked asks about one token;
  // ReadRevocations lists those after `after_seq` (for a running server).
  Result<int64_t, StoreError> AddRevocation(const Revocation& revocation, std::string_view actor);
  Result<bool, StoreError> IsRevoked(std::string_view room_id, std::string_view identity,
                                     const std::optional<std::string>& token_id, int64_t issued_at_unix_s);
  Result<std::vector<Revocation>, StoreError> ReadRevocations(int64_t after_seq, size_t limit);

  // Audit log. AppendAudit chains the new row to the last one atomically (its
  // own BEGIN IMMEDIATE transaction, or the caller's if one is open) and
  // returns its seq; each field is at most kMaxAuditFieldSize bytes.
  Result<int64_t, StoreError> AppendAudit(int64_t time_unix_s, std::string_view actor, std::string_view action,
                                          std::string_view detail, std::string_view node = {});
  // In seq order: rows after `after_seq`, at most `limit`.
  Result<std::vector<AuditEntry>, StoreError> ReadAudit(int64_t after_seq, size_t limit);
  // The newest `count` rows, in seq order.
  Result<std::vector<AuditEntry>, StoreError> ReadLatestAudit(size_t count);
  // Walks the whole chain (VerifyAuditChain).
  Result<AuditVerification, StoreError> VerifyAudit(const std::optional<AuditAnchor>& anchor = {});

  // For tests and maintenance tools.
  Database& database() { return db_; }

 private:
  DataFolder(std::string path, Database db) : path_(std::move(path)), db_(std::move(db)) {}
  Result<ApiKey, StoreError> InsertApiKey(RandomSource& random, int64_t now_unix_s);

  std::string path_;
  Database db_;
  bool created_api_key_ = false;
};

}  // namespace aegis::store
