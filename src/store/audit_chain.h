// The audit log's hash chain (docs/audit.md). Every audit_log row carries
// prev_hash, the hash of the row before it (kAuditGenesis for the first),
// and hash = SHA-256 of the row's canonical encoding:
//
//   field("aegis-audit-v1")       domain separation and encoding version
//   u64 seq, u64 time             big-endian, time as two's complement
//   field(actor) field(action) field(detail) field(node)
//   prev_hash                     32 bytes
//
// where field(x) = u32 big-endian byte length of x, then x's bytes as stored
// (UTF-8, not normalized). An edit to any row changes its hash; deleting or
// reordering rows breaks a seq step or a prev_hash link. Nothing here is
// keyed: whoever can write aegis.db can recompute the chain from some row
// on, which only an anchored head (a seq:hash kept elsewhere) reveals.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/sqlite.h"
#include "store/store_error.h"

namespace aegis::store {

inline constexpr size_t kAuditHashSize = 32;
using AuditHash = std::array<uint8_t, kAuditHashSize>;
// The prev_hash of the first row: 32 zero bytes.
inline constexpr AuditHash kAuditGenesis{};
inline constexpr std::string_view kAuditEncodingTag = "aegis-audit-v1";

struct AuditEntry {
  int64_t seq = 0;
  int64_t time = 0;  // unix seconds
  std::string actor;
  std::string action;
  std::string detail;
  std::string node;  // the node that wrote the row; empty on a single node
  AuditHash prev_hash = kAuditGenesis;
  AuditHash hash = kAuditGenesis;
  bool operator==(const AuditEntry&) const = default;
};

// The exact bytes hashed for `entry` (its `hash` member is not part of them).
std::vector<uint8_t> AuditRowEncoding(const AuditEntry& entry);
// SHA-256 of AuditRowEncoding(entry).
AuditHash AuditRowHash(const AuditEntry& entry);

// A head kept outside the database: "SEQ:HEX" (what verify prints) or just
// the 64 hex digits of a hash.
struct AuditAnchor {
  std::optional<int64_t> seq;
  AuditHash hash{};
};
std::optional<AuditAnchor> ParseAuditAnchor(std::string_view text);
std::string FormatAuditAnchor(int64_t seq, const AuditHash& hash);

enum class AuditProblem {
  kNone,
  kAltered,        // a row's content no longer matches its own hash
  kBrokenLink,     // a row's prev_hash is not the hash of the row before it
  kMissingRows,    // a gap in seq: rows before this one were removed
  kTruncated,      // seq values were issued after the last row: rows removed from the end
  kAnchorMismatch, // the row at the anchor's seq has another hash
  kAnchorMissing,  // the anchor's row is not in the log
};

struct AuditVerification {
  AuditProblem problem = AuditProblem::kNone;
  int64_t rows = 0;      // rows that verified, in order
  int64_t head_seq = 0;  // the last verified row's seq (0: none)
  AuditHash head = kAuditGenesis;
  int64_t bad_row = 0;  // 1-based position of the first bad row, when there is one
  int64_t bad_seq = 0;
  std::optional<int64_t> anchor_seq;  // where the anchor was found
  std::string message;                // for the operator: "row 7 (seq 7) was altered: ..."
  bool ok() const { return problem == AuditProblem::kNone; }
};

// Walks the whole chain in seq order in one read snapshot; stops at the first
// bad row. A StoreError only when the database cannot be read.
Result<AuditVerification, StoreError> VerifyAuditChain(Database& db, const std::optional<AuditAnchor>& anchor = {});

// Appends one chained row: reads the last row's hash and the next seq and
// inserts, inside the caller's write transaction (BEGIN IMMEDIATE), so two
// writers can never chain from the same row. Returns the new seq.
Result<int64_t, StoreError> AppendChainedAuditRow(Database& db, int64_t time_unix_s, std::string_view actor,
                                                  std::string_view action, std::string_view detail,
                                                  std::string_view node);

// Migration 2: fills prev_hash and hash of every existing row, in seq order
// from kAuditGenesis. Runs inside the migration's transaction.
Result<void, StoreError> ChainExistingAuditRows(Database& db);

}  // namespace aegis::store
