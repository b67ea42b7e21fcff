#include "store/audit_chain.h"

#include <algorithm>
#include <span>

#include "base/byte_writer.h"
#include "base/hex.h"
#include "crypto/hash.h"

namespace aegis::store {
namespace {

void Field(ByteWriter& w, std::string_view text) {
  w.U32(static_cast<uint32_t>(text.size()));
  w.Bytes({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

std::string Short(const AuditHash& h) { return ToHex(std::span<const uint8_t>(h).first(8)); }

std::string Plural(int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string SeqRange(int64_t first, int64_t last) {
  return first == last ? "seq " + std::to_string(first)
                       : "seq " + std::to_string(first) + "-" + std::to_string(last);
}

// A stored hash column: exactly kAuditHashSize bytes, or nullopt.
std::optional<AuditHash> HashColumn(const Statement& stmt, int column) {
  if (stmt.ColumnIsNull(column)) return std::nullopt;
  auto bytes = stmt.ColumnBlob(column);
  if (bytes.size() != kAuditHashSize) return std::nullopt;
  AuditHash h;
  std::copy(bytes.begin(), bytes.end(), h.begin());
  return h;
}

// The seq SQLite's AUTOINCREMENT counter has issued last (0 if none): never
// lowered by a DELETE, so above the last row's seq it means rows were cut
// from the end (unless whoever cut them also rewound the counter).
Result<int64_t, StoreError> IssuedSeq(Database& db) {
  auto stmt = db.Prepare("SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'audit_log'");
  if (!stmt) return Err{stmt.error()};
  if (stmt->Next() != Statement::Step::kRow) return Err{stmt->LastError()};
  return stmt->ColumnInt(0);
}

std::string RowName(int64_t row, int64_t seq) {
  return "row " + std::to_string(row) + " (seq " + std::to_string(seq) + ")";
}

}  // namespace

std::vector<uint8_t> AuditRowEncoding(const AuditEntry& e) {
  std::vector<uint8_t> out;
  out.reserve(4 + kAuditEncodingTag.size() + 16 + 16 + e.actor.size() + e.action.size() + e.detail.size() +
              e.node.size() + kAuditHashSize);
  ByteWriter w(out);
  Field(w, kAuditEncodingTag);
  w.U64(static_cast<uint64_t>(e.seq));
  w.U64(static_cast<uint64_t>(e.time));
  Field(w, e.actor);
  Field(w, e.action);
  Field(w, e.detail);
  Field(w, e.node);
  w.Bytes(e.prev_hash);
  return out;
}

AuditHash AuditRowHash(const AuditEntry& e) {
  const std::vector<uint8_t> encoding = AuditRowEncoding(e);
  const std::vector<uint8_t> digest = crypto::Digest(crypto::HashAlgorithm::kSha256, {encoding});
  AuditHash h{};
  std::copy_n(digest.begin(), std::min(digest.size(), h.size()), h.begin());
  return h;
}

std::optional<AuditAnchor> ParseAuditAnchor(std::string_view text) {
  AuditAnchor anchor;
  if (const size_t colon = text.find(':'); colon != std::string_view::npos) {
    const std::string_view seq = text.substr(0, colon);
    if (seq.empty() || seq.size() > 18) return std::nullopt;
    int64_t n = 0;
    for (char c : seq) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + (c - '0');
    }
    anchor.seq = n;  // 0: the head of an empty log (the genesis value)
    text = text.substr(colon + 1);
  }
  if (text.size() != 2 * kAuditHashSize) return std::nullopt;
  auto bytes = FromHex(text);
  if (!bytes || bytes->size() != kAuditHashSize) return std::nullopt;
  std::copy(bytes->begin(), bytes->end(), anchor.hash.begin());
  return anchor;
}

std::string FormatAuditAnchor(int64_t seq, const AuditHash& hash) { return std::to_string(seq) + ":" + ToHex(hash); }

Result<AuditVerification, StoreError> VerifyAuditChain(Database& db, const std::optional<AuditAnchor>& anchor) {
  // One snapshot for the rows and the sequence counter, without taking the
  // write lock (the server keeps appending while an operator verifies).
  auto tx = Transaction::BeginRead(db);
  if (!tx) return Err{tx.error()};
  auto stmt = db.Prepare(
      "SELECT seq, time, actor, action, detail, node, prev_hash, hash FROM audit_log ORDER BY seq");
  if (!stmt) return Err{stmt.error()};

  AuditVerification v;
  if (anchor && anchor->hash == kAuditGenesis && anchor->seq.value_or(0) == 0) v.anchor_seq = 0;
  const auto fail = [&v](AuditProblem problem, int64_t row, int64_t seq, std::string message) {
    v.problem = problem;
    v.bad_row = row;
    v.bad_seq = seq;
    v.message = std::move(message);
    return v;
  };
  for (;;) {
    const Statement::Step step = stmt->Next();
    if (step == Statement::Step::kError) return Err{stmt->LastError()};
    if (step == Statement::Step::kDone) break;
    const int64_t row = v.rows + 1;
    AuditEntry e{stmt->ColumnInt(0), stmt->ColumnInt(1), stmt->ColumnText(2), stmt->ColumnText(3),
                 stmt->ColumnText(4), stmt->ColumnText(5)};
    const std::optional<AuditHash> prev = HashColumn(*stmt, 6);
    const std::optional<AuditHash> hash = HashColumn(*stmt, 7);
    if (!prev || !hash) {
      return fail(AuditProblem::kAltered, row, e.seq,
                  RowName(row, e.seq) + " was altered: its prev_hash or hash is missing or not " +
                      std::to_string(kAuditHashSize) + " bytes");
    }
    e.prev_hash = *prev;
    e.hash = *hash;
    const AuditHash computed = AuditRowHash(e);
    if (computed != e.hash) {
      return fail(AuditProblem::kAltered, row, e.seq,
                  RowName(row, e.seq) + " was altered: its content no longer matches its hash (stored " +
                      Short(e.hash) + "..., content hashes to " + Short(computed) + "...)");
    }
    if (e.seq != v.head_seq + 1) {
      const std::string where = v.head_seq == 0 ? "at the start of the log"
                                                : "after seq " + std::to_string(v.head_seq);
      return fail(AuditProblem::kMissingRows, row, e.seq,
                  RowName(row, e.seq) + " was altered or a row before it was removed: " +
                      SeqRange(v.head_seq + 1, e.seq - 1) + " is missing " + where);
    }
    if (e.prev_hash != v.head) {
      const std::string before =
          v.head_seq == 0 ? "the genesis value (the first row chains from 32 zero bytes)"
                          : "the hash of seq " + std::to_string(v.head_seq) + " (" + Short(v.head) + "...)";
      return fail(AuditProblem::kBrokenLink, row, e.seq,
                  RowName(row, e.seq) + " was altered or a row before it was removed or rewritten: its prev_hash " +
                      Short(e.prev_hash) + "... is not " + before);
    }
    if (anchor && anchor->seq && *anchor->seq == e.seq && anchor->hash != e.hash) {
      return fail(AuditProblem::kAnchorMismatch, row, e.seq,
                  RowName(row, e.seq) + " is not the anchored head " + FormatAuditAnchor(*anchor->seq, anchor->hash) +
                      ": its hash is " + ToHex(e.hash) + "; the log was rewritten at or before seq " +
                      std::to_string(e.seq));
    }
    if (anchor && !v.anchor_seq && anchor->hash == e.hash && (!anchor->seq || *anchor->seq == e.seq)) {
      v.anchor_seq = e.seq;
    }
    v.rows = row;
    v.head_seq = e.seq;
    v.head = e.hash;
  }

  auto issued = IssuedSeq(db);
  if (!issued) return Err{issued.error()};
  if (*issued > v.head_seq) {
    return fail(AuditProblem::kTruncated, v.rows + 1, v.head_seq + 1,
                "the log ends at seq " + std::to_string(v.head_seq) + " but SQLite's sequence counter issued seq " +
                    std::to_string(*issued) + ": " + SeqRange(v.head_seq + 1, *issued) +
                    " was removed from the end");
  }
  if (anchor && !v.anchor_seq) {
    if (anchor->seq) {
      return fail(AuditProblem::kAnchorMissing, v.rows + 1, *anchor->seq,
                  "the anchored head seq " + std::to_string(*anchor->seq) + " is missing: the log ends at seq " +
                      std::to_string(v.head_seq) + ", so rows were removed from the end (or the log replaced)");
    }
    return fail(AuditProblem::kAnchorMissing, v.rows + 1, 0,
                "the anchored hash " + ToHex(anchor->hash) + " is not in the log (" + Plural(v.rows, "row", "rows") +
                    ", head " + FormatAuditAnchor(v.head_seq, v.head) +
                    "): rows were removed from the end, or the log was rewritten");
  }
  return v;
}

Result<int64_t, StoreError> AppendChainedAuditRow(Database& db, int64_t time_unix_s, std::string_view actor,
                                                  std::string_view action, std::string_view detail,
                                                  std::string_view node) {
  AuditEntry e{0, time_unix_s, std::string(actor), std::string(action), std::string(detail), std::string(node)};
  auto last = db.Prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  if (!last) return Err{last.error()};
  int64_t last_seq = 0;
  switch (last->Next()) {
    case Statement::Step::kRow: {
      last_seq = last->ColumnInt(0);
      auto h = HashColumn(*last, 1);
      if (!h) {
        return Err{StoreError{StoreErrorCode::kSqlite, "the last audit row (seq " + std::to_string(last_seq) +
                                                           ") has no valid hash to chain from; run aegis audit "
                                                           "verify and restore aegis.db from a backup"}};
      }
      e.prev_hash = *h;
      break;
    }
    case Statement::Step::kDone: e.prev_hash = kAuditGenesis; break;
    case Statement::Step::kError: return Err{last->LastError()};
  }
  auto issued = IssuedSeq(db);
  if (!issued) return Err{issued.error()};
  // Never reuse a seq, even one whose row is gone: the gap stays visible.
  e.seq = std::max(last_seq, *issued) + 1;
  e.hash = AuditRowHash(e);

  auto insert = db.Prepare(
      "INSERT INTO audit_log (seq, time, actor, action, detail, node, prev_hash, hash) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!insert) return Err{insert.error()};
  if (!insert->BindInt(1, e.seq) || !insert->BindInt(2, e.time) || !insert->BindText(3, e.actor) ||
      !insert->BindText(4, e.action) || !insert->BindText(5, e.detail) || !insert->BindText(6, e.node) ||
      !insert->BindBlob(7, e.prev_hash) || !insert->BindBlob(8, e.hash)) {
    return Err{insert->LastError()};
  }
  if (auto r = insert->Run(); !r) return Err{r.error()};
  return e.seq;
}

Result<void, StoreError> ChainExistingAuditRows(Database& db) {
  // In batches, so a long log never sits in memory at once and no SELECT is
  // open on the table while it is updated.
  constexpr int64_t kBatch = 512;
  auto select = db.Prepare(
      "SELECT seq, time, actor, action, detail, node FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  if (!select) return Err{select.error()};
  auto update = db.Prepare("UPDATE audit_log SET prev_hash = ?1, hash = ?2 WHERE seq = ?3");
  if (!update) return Err{update.error()};
  AuditHash prev = kAuditGenesis;
  int64_t after = 0;
  for (;;) {
    select->Reset();
    if (!select->BindInt(1, after) || !select->BindInt(2, kBatch)) return Err{select->LastError()};
    std::vector<AuditEntry> batch;
    for (;;) {
      const Statement::Step step = select->Next();
      if (step == Statement::Step::kError) return Err{select->LastError()};
      if (step == Statement::Step::kDone) break;
      batch.push_back(AuditEntry{select->ColumnInt(0), select->ColumnInt(1), select->ColumnText(2),
                                 select->ColumnText(3), select->ColumnText(4), select->ColumnText(5)});
    }
    select->Reset();
    if (batch.empty()) return {};
    for (AuditEntry& e : batch) {
      e.prev_hash = prev;
      e.hash = AuditRowHash(e);
      update->Reset();
      if (!update->BindBlob(1, e.prev_hash) || !update->BindBlob(2, e.hash) || !update->BindInt(3, e.seq)) {
        return Err{update->LastError()};
      }
      if (auto r = update->Run(); !r) return Err{r.error()};
      prev = e.hash;
      after = e.seq;
    }
  }
}

}  // namespace aegis::store
