// The audit log's hash chain: appends chain, and verify names the first row
// an attacker with write access to aegis.db edited, removed or reordered.
// Every tampering here goes around the append-only triggers the way such an
// attacker would (drop them, edit, put them back).
#include "store/audit_chain.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "base/hex.h"
#include "store/data_folder.h"
#include "store/store_test_util.h"
#include "store/schema.h"
#include "store/secure_path.h"

namespace aegis::store {
namespace {

using namespace store::testing;  // NOLINT: TempDir, MustOpen, kNow

AuditHash HashFromHex(std::string_view hex) {
  auto bytes = FromHex(hex);
  AuditHash h{};
  EXPECT_TRUE(bytes && bytes->size() == h.size());
  if (bytes && bytes->size() == h.size()) std::copy(bytes->begin(), bytes->end(), h.begin());
  return h;
}

// Runs `sql` as an attacker with write access to the file: around the
// append-only triggers, which are put back afterwards.
void Tamper(Database& db, const std::string& sql) {
  const std::string script =
      "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; " + sql +
      "; CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
      "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END; "
      "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
      "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;";
  auto r = db.ExecScript(script.c_str());
  ASSERT_TRUE(r.ok()) << r.error().message;
}

// Rewrites every row from `from_seq` on with freshly computed hashes: what an
// attacker who knows the (public, unkeyed) encoding can do.
void Rechain(DataFolder& data, int64_t from_seq) {
  auto rows = data.ReadAudit(0, 1000);
  ASSERT_TRUE(rows.ok());
  AuditHash prev = kAuditGenesis;
  for (AuditEntry e : *rows) {
    if (e.seq >= from_seq) {
      e.prev_hash = prev;
      e.hash = AuditRowHash(e);
      Tamper(data.database(), "UPDATE audit_log SET prev_hash = x'" + ToHex(e.prev_hash) + "', hash = x'" +
                                  ToHex(e.hash) + "' WHERE seq = " + std::to_string(e.seq));
    }
    prev = e.hash;
  }
}

// Five rows, seq 1..5.
void AppendFive(DataFolder& data) {
  for (int i = 1; i <= 5; ++i) {
    auto seq = data.AppendAudit(kNow + i, "cli", "token.create", "identity=user" + std::to_string(i));
    ASSERT_TRUE(seq.ok()) << seq.error().message;
    ASSERT_EQ(*seq, i);
  }
}

AuditVerification MustVerify(DataFolder& data, const std::optional<AuditAnchor>& anchor = {}) {
  auto v = data.VerifyAudit(anchor);
  EXPECT_TRUE(v.ok()) << v.error().message;
  return v.ok() ? *v : AuditVerification{};
}

TEST(AuditChainTest, EncodingIsCanonicalAndLengthPrefixed) {
  // Vectors computed independently (Python hashlib/struct), as in docs/audit.md.
  AuditEntry first{1, kNow, "cli", "token.create", "room=standup identity=ada", ""};
  EXPECT_EQ(ToHex(AuditRowEncoding(first)),
            "0000000e61656769732d61756469742d7631"  // field("aegis-audit-v1")
            "0000000000000001"                      // seq
            "000000006553f100"                      // time
            "00000003636c69"                        // field("cli")
            "0000000c746f6b656e2e637265617465"      // field("token.create")
            "00000019726f6f6d3d7374616e647570206964656e746974793d616461"
            "00000000"  // field("") for node
            "0000000000000000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(ToHex(AuditRowHash(first)), "f6d8759f66b3e2eb30cdafaf96bc335c7eea9aa0f23c654662e9e5ffd5eded36");
  AuditEntry second{2, kNow + 1, "server", "room.join", "room=standup identity=bob\xc3\xa9", "node-a",
                    AuditRowHash(first)};
  EXPECT_EQ(ToHex(AuditRowHash(second)), "6af92bb237b07527c6236dd0ca565262ad99910ecb81640c7c17bb5a3c09d269");

  // Moving a byte from one field to the next changes the hash (the lengths
  // are hashed), and so does every field and the link.
  AuditEntry a{1, kNow, "ab", "c", "", ""};
  AuditEntry b{1, kNow, "a", "bc", "", ""};
  EXPECT_NE(AuditRowHash(a), AuditRowHash(b));
  AuditEntry c = a;
  c.node = "n";
  EXPECT_NE(AuditRowHash(a), AuditRowHash(c));
  c = a;
  c.prev_hash[31] = 1;
  EXPECT_NE(AuditRowHash(a), AuditRowHash(c));
  c = a;
  c.time = kNow + 1;
  EXPECT_NE(AuditRowHash(a), AuditRowHash(c));
  // The stored hash itself is not hashed.
  c = a;
  c.hash[0] = 9;
  EXPECT_EQ(AuditRowHash(a), AuditRowHash(c));
}

TEST(AuditChainTest, AppendsChainFromGenesisAndVerify) {
  TempDir tmp;
  DataFolder data = MustOpen(tmp.Sub("data"));
  AuditVerification empty = MustVerify(data);
  EXPECT_TRUE(empty.ok()) << empty.message;
  EXPECT_EQ(empty.rows, 0);
  EXPECT_EQ(empty.head, kAuditGenesis);
  EXPECT_EQ(MustVerify(data, AuditAnchor{0, kAuditGenesis}).anchor_seq, 0);

  AppendFive(data);
  ASSERT_TRUE(data.AppendAudit(kNow + 6, "server", "room.join", "identity=bob", "node-a").ok());
  auto rows = data.ReadAudit(0, 100);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 6u);
  AuditHash prev = kAuditGenesis;
  for (const AuditEntry& e : *rows) {
    EXPECT_EQ(e.prev_hash, prev) << "seq " << e.seq;
    EXPECT_EQ(e.hash, AuditRowHash(e)) << "seq " << e.seq;
    prev = e.hash;
  }
  EXPECT_EQ(rows->back().node, "node-a");

  AuditVerification v = MustVerify(data);
  EXPECT_TRUE(v.ok()) << v.message;
  EXPECT_EQ(v.rows, 6);
  EXPECT_EQ(v.head_seq, 6);
  EXPECT_EQ(v.head, rows->back().hash);
  EXPECT_EQ(FormatAuditAnchor(v.head_seq, v.head), "6:" + ToHex(rows->back().hash));

  auto latest = data.ReadLatestAudit(2);
  ASSERT_TRUE(latest.ok());
  ASSERT_EQ(latest->size(), 2u);
  EXPECT_EQ((*latest)[0].seq, 5);
  EXPECT_EQ((*latest)[1].seq, 6);
}

TEST(AuditChainTest, RowsWithoutAValidHashCannotBeInserted) {
  TempDir tmp;
  DataFolder data = MustOpen(tmp.Sub("data"));
  EXPECT_FALSE(data.database().ExecScript("INSERT INTO audit_log (time, actor, action, detail) VALUES (1, 'a', 'b', 'c')").ok());
  EXPECT_FALSE(data.database()
                   .ExecScript("INSERT INTO audit_log (time, actor, action, detail, prev_hash, hash) "
                               "VALUES (1, 'a', 'b', 'c', x'00', x'00')")
                   .ok());
  EXPECT_EQ(MustVerify(data).rows, 0);
}

TEST(AuditChainTest, EditedRowIsNamed) {
  TempDir tmp;
  DataFolder data = MustOpen(tmp.Sub("data"));
  AppendFive(data);
  Tamper(data.database(), "UPDATE audit_log SET detail = 'identity=eve' WHERE seq = 2");
  EXPECT_EQ(data.ReadAudit(1, 1)->front().detail, "identity=eve");  // the edit took

  AuditVerification v = MustVerify(data);
  EXPECT_EQ(v.problem, AuditProblem::kAltered);
  EXPECT_EQ(v.bad_row, 2);
  EXPECT_EQ(v.bad_seq, 2);
  EXPECT_EQ(v.rows, 1);
  EXPECT_EQ(v.message.rfind("row 2 (seq 2) was altered: its content no longer matches its hash", 0), 0u)
      << v.message;

  // Every field is covered: time, actor, action, node; and a missing hash.
  for (const char* edit : {"time = time + 1", "actor = 'admin'", "action = 'room.join'", "node = 'x'",
                           "hash = NULL", "prev_hash = x'00'"}) {
    TempDir t;
    DataFolder d = MustOpen(t.Sub("data"));
    AppendFive(d);
    Tamper(d.database(), std::string("UPDATE audit_log SET ") + edit + " WHERE seq = 4");
    AuditVerification w = MustVerify(d);
    EXPECT_EQ(w.problem, AuditProblem::kAltered) << edit;
    EXPECT_EQ(w.bad_seq, 4) << edit << ": " << w.message;
  }
}

TEST(AuditChainTest, EditedAndRehashedRowIsNamedByTheNextRow) {
  TempDir tmp;
  DataFolder data = MustOpen(tmp.Sub("data"));
  AppendFive(data);
  // The attacker recomputes row 2's hash but leaves the rows after it.
  auto row2 = data.ReadAudit(1, 1)->front();
  row2.detail = "identity=eve";
  row2.hash = AuditRowHash(row2);
  Tamper(data.database(), "UPDATE audit_log SET detail = 'identity=eve', hash = x'" + ToHex(row2.hash) +
                              "' WHERE seq = 2");
  AuditVerification v = MustVerify(data);
  EXPECT_EQ(v.problem, AuditProblem::kBrokenLink);
  EXPECT_EQ(v.bad_row, 3);
  EXPECT_EQ(v.message.rfind("row 3 (seq 3) was altered or a row before it was removed or rewritten", 0), 0u)
      << v.message;
}

TEST(AuditChainTest, DeletedRowsAreNamed) {
  {
    TempDir tmp;
    DataFolder data = MustOpen(tmp.Sub("data"));
    AppendFive(data);
    Tamper(data.database(), "DELETE FROM audit_log WHERE seq = 3");
    AuditVerification v = MustVerify(data);
    EXPECT_EQ(v.problem, AuditProblem::kMissingRows);
    EXPECT_EQ(v.bad_row, 3);
    EXPECT_EQ(v.bad_seq, 4);
    EXPECT_EQ(v.message, "row 3 (seq 4) was altered or a row before it was removed: seq 3 is missing after seq 2");
  }
  {
    TempDir tmp;
    DataFolder data = MustOpen(tmp.Sub("data"));
    AppendFive(data);
    Tamper(data.database(), "DELETE FROM audit_log WHERE seq <= 2");
    AuditVerification v = MustVerify(data);
    EXPECT_EQ(v.problem, AuditProblem::kMissingRows);
    EXPECT_EQ(v.message,
              "row 1 (seq 3) was altered or a row before it was removed: seq 1-2 is missing at the start of the log");
  }
  {
    // Renumbering to hide the gap breaks the renumbered rows' hashes.
    TempDir tmp;
    DataFolder data = MustOpen(tmp.Sub("data"));
    AppendFive(data);
    Tamper(data.database(), "DELETE FROM audit_log WHERE seq = 3; UPDATE audit_log SET seq = seq - 1 WHERE seq > 3");
    AuditVerification v = MustVerify(data);
    EXPECT_EQ(v.problem, AuditProblem::kAltered);
    EXPECT_EQ(v.bad_seq, 3);
  }
}

TEST(AuditChainTest, ReorderedRowsAreNamed) {
  TempDir tmp;
  DataFolder data = MustOpen(tmp.Sub("data"));
  AppendFive(data);
  // Swap rows 2 and 4 wholesale (hashes included).
  Tamper(data.database(),
         "UPDATE audit_log SET seq = -2 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 4; "
         "UPDATE audit_log SET seq = 4 WHERE seq = -2");
  AuditVerification v = MustVerify(data);
  EXPECT_EQ(v.problem, AuditProblem::kAltered);
  EXPECT_EQ(v.bad_seq, 2);
}

TEST(AuditChainTest, TruncatedTailIsCaughtByTheSequenceCounterOrTheAnchor) {
  TempDir tmp;
  DataFolder data = MustOpen(tmp.Sub("data"));
  AppendFive(data);
  const AuditVerification intact = MustVerify(data);
  const AuditAnchor head5{5, intact.head};
  const AuditAnchor bare5{std::nullopt, intact.head};
  auto row4 = data.ReadAudit(3, 1)->front();
  const AuditAnchor head4{4, row4.hash};

  Tamper(data.database(), "DELETE FROM audit_log WHERE seq = 5");
  AuditVerification v = MustVerify(data);
  EXPECT_EQ(v.problem, AuditProblem::kTruncated);
  EXPECT_EQ(v.bad_seq, 5);
  EXPECT_EQ(v.message,
            "the log ends at seq 4 but SQLite's sequence counter issued seq 5: seq 5 was removed from the end");

  // Rewinding the counter too leaves a chain that verifies on its own...
  ASSERT_TRUE(data.database().ExecScript("UPDATE sqlite_sequence SET seq = 4 WHERE name = 'audit_log'").ok());
  v = MustVerify(data);
  EXPECT_TRUE(v.ok()) << v.message;
  EXPECT_EQ(v.head_seq, 4);
  // ...but not against a head anchored elsewhere.
  v = MustVerify(data, head5);
  EXPECT_EQ(v.problem, AuditProblem::kAnchorMissing);
  EXPECT_EQ(v.message.rfind("the anchored head seq 5 is missing: the log ends at seq 4", 0), 0u) << v.message;
  v = MustVerify(data, bare5);
  EXPECT_EQ(v.problem, AuditProblem::kAnchorMissing);
  EXPECT_NE(v.message.find("is not in the log"), std::string::npos) << v.message;
  // An older anchor is fine: the log grew since.
  v = MustVerify(data, head4);
  EXPECT_TRUE(v.ok()) << v.message;
  EXPECT_EQ(v.anchor_seq, 4);

  // Appending after a truncation never reuses the removed seq.
  TempDir t2;
  DataFolder d2 = MustOpen(t2.Sub("data"));
  AppendFive(d2);
  Tamper(d2.database(), "DELETE FROM audit_log WHERE seq = 5");
  auto seq = d2.AppendAudit(kNow + 9, "cli", "room.policy", "after");
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 6);
  v = MustVerify(d2);
  EXPECT_EQ(v.problem, AuditProblem::kMissingRows);
  EXPECT_EQ(v.bad_seq, 6);
}

TEST(AuditChainTest, ARechainedLogIsCaughtOnlyByTheAnchor) {
  TempDir tmp;
  DataFolder data = MustOpen(tmp.Sub("data"));
  AppendFive(data);
  const AuditVerification before = MustVerify(data);
  Tamper(data.database(), "UPDATE audit_log SET detail = 'identity=eve' WHERE seq = 2");
  Rechain(data, 2);
  // The chain is self-consistent again: without an anchor nothing can tell.
  AuditVerification v = MustVerify(data);
  EXPECT_TRUE(v.ok()) << v.message;
  EXPECT_NE(v.head, before.head);
  v = MustVerify(data, AuditAnchor{5, before.head});
  EXPECT_EQ(v.problem, AuditProblem::kAnchorMismatch);
  EXPECT_EQ(v.bad_seq, 5);
  EXPECT_EQ(v.message.rfind("row 5 (seq 5) is not the anchored head 5:", 0), 0u) << v.message;
}

TEST(AuditChainTest, AppendInsideTheCallersTransactionJoinsIt) {
  TempDir tmp;
  DataFolder data = MustOpen(tmp.Sub("data"));
  {
    auto tx = Transaction::Begin(data.database());
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(data.AppendAudit(kNow, "cli", "token.revoke", "rolled back").ok());
  }  // rolled back with the caller's transaction
  EXPECT_EQ(MustVerify(data).rows, 0);
  {
    auto tx = Transaction::Begin(data.database());
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(data.AppendAudit(kNow, "cli", "token.revoke", "kept").ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  AuditVerification v = MustVerify(data);
  EXPECT_TRUE(v.ok()) << v.message;
  EXPECT_EQ(v.rows, 1);
  EXPECT_EQ(v.head_seq, 1);
}

TEST(AuditChainTest, ConcurrentWritersOnTwoConnectionsKeepOneChain) {
  TempDir tmp;
  const std::string path = tmp.Sub("data");
  { MustOpen(path); }
  constexpr int kPerWriter = 40;
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      DataFolder data = MustOpen(path);  // its own connection, as another process would have
      for (int i = 0; i < kPerWriter; ++i) {
        if (!data.AppendAudit(kNow + i, "writer" + std::to_string(w), "test", std::to_string(i)).ok()) ++failures;
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(failures.load(), 0);
  DataFolder data = MustOpen(path);
  AuditVerification v = MustVerify(data);
  EXPECT_TRUE(v.ok()) << v.message;
  EXPECT_EQ(v.rows, 3 * kPerWriter);
}

TEST(AuditChainTest, AVersion1DatabaseIsChainedAtMigration) {
  TempDir tmp;
  const std::string path = tmp.Sub("data");
  ASSERT_TRUE(EnsureSecureFolder(path).ok());
  ASSERT_TRUE(EnsureSecureFile(path + "/aegis.db").ok());
  {
    // What an aegis before the chain left behind: schema 1 with rows.
    auto db = Database::Open(path + "/aegis.db");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->ExecScript("PRAGMA journal_mode = WAL").ok());
    auto from = MigrateTo(*db, 1);
    ASSERT_TRUE(from.ok()) << from.error().message;
    EXPECT_EQ(*SchemaVersion(*db), 1);
    ASSERT_TRUE(db->ExecScript("INSERT INTO audit_log (time, actor, action, detail) VALUES "
                               "(1700000000, 'cli', 'token.create', 'room=standup identity=ada'), "
                               "(1700000005, 'cli', 'room.policy', 'room standup: e2ee required')")
                    .ok());
  }
  DataFolder data = MustOpen(path);  // migrates to the latest version
  EXPECT_EQ(*SchemaVersion(data.database()), LatestSchemaVersion());
  auto rows = data.ReadAudit(0, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].prev_hash, kAuditGenesis);
  EXPECT_EQ((*rows)[0].detail, "room=standup identity=ada");
  EXPECT_EQ(ToHex((*rows)[0].hash), "f6d8759f66b3e2eb30cdafaf96bc335c7eea9aa0f23c654662e9e5ffd5eded36");
  EXPECT_EQ((*rows)[1].prev_hash, (*rows)[0].hash);
  AuditVerification v = MustVerify(data);
  EXPECT_TRUE(v.ok()) << v.message;
  EXPECT_EQ(v.rows, 2);

  // Appends continue the chain, and the table is append-only again.
  ASSERT_EQ(*data.AppendAudit(kNow + 10, "cli", "token.create", "third"), 3);
  v = MustVerify(data);
  EXPECT_TRUE(v.ok()) << v.message;
  EXPECT_EQ(v.rows, 3);
  EXPECT_FALSE(data.database().ExecScript("UPDATE audit_log SET detail = 'x'").ok());
  EXPECT_FALSE(data.database().ExecScript("DELETE FROM audit_log").ok());

  // And the migrated chain catches an edit like a fresh one.
  Tamper(data.database(), "UPDATE audit_log SET detail = 'room=standup identity=eve' WHERE seq = 1");
  v = MustVerify(data);
  EXPECT_EQ(v.problem, AuditProblem::kAltered);
  EXPECT_EQ(v.bad_seq, 1);
}

TEST(AuditChainTest, AnchorsParse) {
  const std::string hex(64, 'a');
  auto a = ParseAuditAnchor("12:" + hex);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->seq, 12);
  EXPECT_EQ(ToHex(a->hash), hex);
  a = ParseAuditAnchor("0:" + std::string(64, '0'));  // an empty log's head
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->seq, 0);
  a = ParseAuditAnchor(std::string(64, 'B'));
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(a->seq.has_value());
  EXPECT_EQ(a->hash, HashFromHex(std::string(64, 'b')));
  for (const std::string& bad : {std::string(""), std::string(63, 'a'), std::string(65, 'a'), ":" + hex,
                                "-1:" + hex, "x:" + hex, "1:" + std::string(62, 'a') + "zz", "1:2:" + hex,
                                "1234567890123456789:" + hex}) {
    EXPECT_FALSE(ParseAuditAnchor(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace aegis::store
