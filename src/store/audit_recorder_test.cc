#include "store/audit_recorder.h"

#include <gtest/gtest.h>

#include "store/store_test_util.h"
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace aegis::store {
namespace {

using namespace store::testing;  // NOLINT: TempDir, MustOpen, kNow

// What the server does: a recorder on its own connection, its rows read by
// another process (aegis audit tail) once Record returned.
// aegis serve holds one connection (room rules, revocations) and the
// recorder another; a third Open in the process (a CLI, a test) must not
// break either. Opening and closing the database file outside SQLite
// dropped every POSIX lock the process held on it, and the recorder's
// committed rows were lost.
TEST(AuditRecorderTest, RowsAreCommittedForOtherConnections) {
  TempDir tmp;
  const std::string path = tmp.Sub("data");
  DataFolder server = MustOpen(path);  // the server's own connection stays open, as in aegis serve
  ASSERT_TRUE(server.ReadRevocations(0, 10).ok());
  auto recorder = AuditRecorder::Open(path);
  ASSERT_TRUE(recorder.ok());
  std::thread worker([&] {  // a media worker thread
    EXPECT_TRUE((*recorder)->Record("server", "participant.join", "room=r").ok());
    EXPECT_TRUE((*recorder)->Record("server", "participant.leave", "room=r").ok());
  });
  worker.join();
  ASSERT_TRUE(server.IsRevoked("r", "x", std::nullopt, 0).ok());
  { DataFolder another = MustOpen(path); }  // e.g. the CLI's check of the folder, in-process
  ASSERT_TRUE((*recorder)->Record("server", "participant.kick", "room=r").ok());
  DataFolder reader = MustOpen(path);
  auto rows = reader.ReadAudit(0, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[2].action, "participant.kick");
}

TEST(AuditRecorderTest, RecordsWithTheWallClockAndNode) {
  TempDir tmp;
  const std::string path = tmp.Sub("data");
  std::atomic<int64_t> now{kNow};
  AuditRecorder recorder(MustOpen(path), [&] { return now.load(); }, "node-a");
  auto first = recorder.Record("identity:ada", "room.join", "room=standup participant=p1");
  ASSERT_TRUE(first.ok()) << first.error().message;
  now = kNow + 7;
  auto second = recorder.Record("identity:ada", "room.leave", "room=standup participant=p1");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, *first + 1);
  EXPECT_EQ(recorder.recorded(), 2u);
  EXPECT_EQ(recorder.failures(), 0u);

  DataFolder data = MustOpen(path);
  auto rows = data.ReadAudit(0, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].time, kNow);
  EXPECT_EQ((*rows)[0].actor, "identity:ada");
  EXPECT_EQ((*rows)[0].action, "room.join");
  EXPECT_EQ((*rows)[0].node, "node-a");
  EXPECT_EQ((*rows)[1].time, kNow + 7);
  auto v = data.VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << v->message;
}

TEST(AuditRecorderTest, SharesTheChainWithOtherWriters) {
  TempDir tmp;
  const std::string path = tmp.Sub("data");
  auto recorder = AuditRecorder::Open(path);
  ASSERT_TRUE(recorder.ok()) << recorder.error().message;
  DataFolder cli = MustOpen(path);  // as `aegis token create` would, meanwhile
  ASSERT_TRUE((*recorder)->Record("server", "server.start", "").ok());
  ASSERT_TRUE(cli.AppendAudit(kNow, "cli", "token.create", "jti=x").ok());
  ASSERT_TRUE((*recorder)->Record("identity:bob", "room.join", "room=r").ok());
  auto v = cli.VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << v->message;
  EXPECT_EQ(v->rows, 3);
  EXPECT_GT(cli.ReadAudit(0, 1)->front().time, kNow);  // the real clock, not the test's
}

TEST(AuditRecorderTest, ManyThreadsRecordIntoOneChain) {
  TempDir tmp;
  const std::string path = tmp.Sub("data");
  AuditRecorder recorder(MustOpen(path), [] { return kNow; });
  constexpr int kThreads = 4;
  constexpr int kEach = 30;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        (void)recorder.Record("thread" + std::to_string(t), "test", std::to_string(i));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(recorder.recorded(), static_cast<uint64_t>(kThreads * kEach));
  EXPECT_EQ(recorder.failures(), 0u);
  DataFolder data = MustOpen(path);
  auto v = data.VerifyAudit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok()) << v->message;
  EXPECT_EQ(v->rows, kThreads * kEach);
}

TEST(AuditRecorderTest, LongFieldsAreCutNotLost) {
  TempDir tmp;
  const std::string path = tmp.Sub("data");
  AuditRecorder recorder(MustOpen(path), [] { return kNow; });
  // 'é' is two bytes: a cut at an odd offset would split one.
  std::string detail = "x";
  while (detail.size() < 3 * kMaxAuditFieldSize) detail += "\xc3\xa9";
  ASSERT_TRUE(recorder.Record("a", "b", detail).ok());
  DataFolder data = MustOpen(path);
  const AuditEntry e = data.ReadAudit(0, 1)->front();
  EXPECT_LE(e.detail.size(), kMaxAuditFieldSize);
  EXPECT_GT(e.detail.size(), kMaxAuditFieldSize - 20);
  const std::string mark = "...[truncated]";
  ASSERT_GT(e.detail.size(), mark.size());
  EXPECT_EQ(e.detail.substr(e.detail.size() - mark.size()), mark);
  const std::string kept = e.detail.substr(0, e.detail.size() - mark.size());
  EXPECT_EQ(kept, detail.substr(0, kept.size()));
  EXPECT_EQ(kept.back(), '\xa9');  // ends on a whole character
}

TEST(AuditRecorderTest, FailuresAreCountedAndReturnedNotThrown) {
  TempDir tmp;
  const std::string path = tmp.Sub("data");
  AuditRecorder recorder(MustOpen(path), [] { return kNow; });
  {
    // Something makes every insert fail (here: a trigger another connection adds).
    DataFolder other = MustOpen(path);
    ASSERT_TRUE(other.database()
                    .ExecScript("CREATE TRIGGER no_insert BEFORE INSERT ON audit_log "
                                "BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
                    .ok());
  }
  auto r = recorder.Record("server", "room.join", "room=r");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("disk says no"), std::string::npos) << r.error().message;
  EXPECT_EQ(recorder.failures(), 1u);
  EXPECT_EQ(recorder.recorded(), 0u);

  // An unusable folder fails at Open, with the reason.
  const std::string open = tmp.Sub("open");
  ASSERT_EQ(::mkdir(open.c_str(), 0777), 0);
  ASSERT_EQ(::chmod(open.c_str(), 0777), 0);
  auto bad = AuditRecorder::Open(open);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, StoreErrorCode::kInsecureFolder);
}

}  // namespace
}  // namespace aegis::store
