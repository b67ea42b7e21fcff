#include "store/data_folder.h"
#include "store/store_test_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "store/schema.h"

namespace aegis::store {
namespace {

using namespace store::testing;  // NOLINT: TempDir, MustOpen, kNow

unsigned Mode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::vector<uint8_t> Bytes(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }

std::string PragmaText(Database& db, const char* sql) {
  auto stmt = db.Prepare(sql);
  EXPECT_TRUE(stmt.ok());
  EXPECT_EQ(stmt->Next(), Statement::Step::kRow);
  return stmt->ColumnText(0);
}

TEST(DataFolderTest, FirstRunCreatesPrivateFolderDatabaseAndOneKey) {
  TempDir tmp;
  const std::string path = tmp.Sub("data");
  // Even with a permissive umask the folder and file come out private.
  const mode_t old_umask = ::umask(0);
  DataFolder data = MustOpen(path, 7);
  ::umask(old_umask);

  EXPECT_EQ(Mode(path), 0700u);
  EXPECT_EQ(Mode(data.database_path()), 0600u);
  for (const char* side : {"-wal", "-shm"}) {
    const std::string file = data.database_path() + side;
    if (std::filesystem::exists(file)) {
      EXPECT_EQ(Mode(file), 0600u) << file;
    }
  }
  EXPECT_TRUE(data.created_api_key());
  auto ids = data.ApiKeyIds();
  ASSERT_TRUE(ids.ok());
  ASSERT_EQ(ids->size(), 1u);

  auto key = data.CurrentApiKey();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->key_id, (*ids)[0]);
  EXPECT_EQ(key->created_at, kNow);
  EXPECT_FALSE(key->revoked);
  // The key is drawn from the injected source: 8 id bytes, then 32 secret bytes.
  SeededRandom replay(7);
  std::array<uint8_t, 8> id_bytes;
  std::array<uint8_t, 32> secret;
  replay.Fill(id_bytes);
  replay.Fill(secret);
  EXPECT_EQ(Bytes(key->secret.view()), Bytes(secret));
  EXPECT_EQ(key->key_id.size(), 3u + 16u);

  EXPECT_EQ(PragmaText(data.database(), "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(PragmaText(data.database(), "PRAGMA foreign_keys"), "1");
}

TEST(DataFolderTest, SecondOpenReusesTheKey) {
  TempDir tmp;
  const std::string path = tmp.Sub("data");
  std::string id;
  std::vector<uint8_t> secret;
  {
    DataFolder first = MustOpen(path, 1);
    auto key = first.CurrentApiKey();
    ASSERT_TRUE(key.ok());
    id = key->key_id;
    secret = Bytes(key->secret.view());
  }
  DataFolder second = MustOpen(path + "/", 2);  // a trailing slash is the same folder
  EXPECT_FALSE(second.created_api_key());
  auto key = second.CurrentApiKey();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->key_id, id);
  EXPECT_EQ(Bytes(key->secret.view()), secret);
  auto ids = second.ApiKeyIds();
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->size(), 1u);
}

TEST(DataFolderTest, RevokedKeyIsReplacedOnNextOpenAndNewestKeyIsCurrent) {
  TempDir tmp;
  const std::string path = tmp.Sub("data");
  std::string first_id;
  {
    DataFolder data = MustOpen(path, 1);
    first_id = data.CurrentApiKey()->key_id;
    SeededRandom random(9);
    auto newer = data.CreateApiKey(random, kNow + 10);
    ASSERT_TRUE(newer.ok());
    EXPECT_EQ(data.CurrentApiKey()->key_id, newer->key_id);
    ASSERT_TRUE(data.RevokeApiKey(newer->key_id).ok());
    EXPECT_EQ(data.CurrentApiKey()->key_id, first_id);
    ASSERT_TRUE(data.RevokeApiKey(first_id).ok());
    auto none = data.CurrentApiKey();
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().code, StoreErrorCode::kNotFound);
    EXPECT_EQ(data.RevokeApiKey("ak_nope").error().code, StoreErrorCode::kNotFound);
  }
  DataFolder again = MustOpen(path, 3);
  EXPECT_TRUE(again.created_api_key());
  auto key = again.CurrentApiKey();
  ASSERT_TRUE(key.ok());
  EXPECT_NE(key->key_id, first_id);
  EXPECT_EQ(again.ApiKeyIds()->size(), 3u);
}

TEST(DataFolderTest, InsecureFolderIsRefused) {
  TempDir tmp;
  for (mode_t mode : {0777, 0770, 0702, 0720}) {
    const std::string path = tmp.Sub("open-" + std::to_string(mode));
    ASSERT_EQ(::mkdir(path.c_str(), 0700), 0);
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    SeededRandom random(1);
    auto data = DataFolder::Open(path, random, kNow);
    ASSERT_FALSE(data.ok()) << std::oct << mode;
    EXPECT_EQ(data.error().code, StoreErrorCode::kInsecureFolder);
    EXPECT_NE(data.error().message.find("writable by group or others"), std::string::npos) << data.error().message;
    EXPECT_NE(data.error().message.find(path), std::string::npos);
    // Nothing was written into it.
    EXPECT_FALSE(std::filesystem::exists(path + "/aegis.db"));
  }
  // Group-readable but not writable is accepted (and left as the operator set it).
  const std::string readable = tmp.Sub("readable");
  ASSERT_EQ(::mkdir(readable.c_str(), 0750), 0);
  ASSERT_EQ(::chmod(readable.c_str(), 0750), 0);
  MustOpen(readable);
}

TEST(DataFolderTest, SymlinkedFolderAndNonDirectoryAreRefused) {
  TempDir tmp;
  const std::string real = tmp.Sub("real");
  ASSERT_EQ(::mkdir(real.c_str(), 0700), 0);
  const std::string link = tmp.Sub("link");
  ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
  SeededRandom random(1);
  auto data = DataFolder::Open(link, random, kNow);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.error().code, StoreErrorCode::kInsecureFolder);

  const std::string file = tmp.Sub("file");
  {
    std::FILE* f = std::fopen(file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
  }
  auto not_dir = DataFolder::Open(file, random, kNow);
  ASSERT_FALSE(not_dir.ok());
  EXPECT_EQ(not_dir.error().code, StoreErrorCode::kFolder);

  // A symlinked database file inside a good folder is refused too.
  const std::string folder = tmp.Sub("good");
  ASSERT_EQ(::mkdir(folder.c_str(), 0700), 0);
  ASSERT_EQ(::symlink(file.c_str(), (folder + "/aegis.db").c_str()), 0);
  auto db_link = DataFolder::Open(folder, random, kNow);
  ASSERT_FALSE(db_link.ok());
  EXPECT_EQ(db_link.error().code, StoreErrorCode::kInsecureFile);
}

TEST(DataFolderTest, FolderOwnedByAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown a folder to another user";
  TempDir tmp;
  const std::string path = tmp.Sub("theirs");
  ASSERT_EQ(::mkdir(path.c_str(), 0700), 0);
  ASSERT_EQ(::chown(path.c_str(), 12345, 12345), 0);
  SeededRandom random(1);
  auto data = DataFolder::Open(path, random, kNow);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.error().code, StoreErrorCode::kInsecureFolder);
  EXPECT_NE(data.error().message.find("owned by another user"), std::string::npos);
}

TEST(DataFolderTest, LooseDatabaseModeIsTightened) {
  TempDir tmp;
  const std::string path = tmp.Sub("data");
  { MustOpen(path); }
  ASSERT_EQ(::chmod((path + "/aegis.db").c_str(), 0644), 0);
  MustOpen(path);
  EXPECT_EQ(Mode(path + "/aegis.db"), 0600u);
}

TEST(DataFolderTest, MigrationsAreIdempotent) {
  TempDir tmp;
  const std::string path = tmp.Sub("data");
  DataFolder data = MustOpen(path);
  ASSERT_TRUE(data.PutRoomPolicy({"kept", true, 4}).ok());
  for (int i = 0; i < 3; ++i) {
    auto from = Migrate(data.database());
    ASSERT_TRUE(from.ok()) << from.error().message;
    EXPECT_EQ(*from, LatestSchemaVersion());
  }
  auto count = data.database().Prepare("SELECT count(*), max(version) FROM schema_version");
  ASSERT_TRUE(count.ok());
  ASSERT_EQ(count->Next(), Statement::Step::kRow);
  EXPECT_EQ(count->ColumnInt(0), LatestSchemaVersion());
  EXPECT_EQ(count->ColumnInt(1), LatestSchemaVersion());
  EXPECT_EQ(data.GetRoomPolicy("kept")->value(), (RoomPolicy{"kept", true, 4}));
  EXPECT_EQ(data.ApiKeyIds()->size(), 1u);

  // A fresh in-memory database migrates from 0.
  auto mem = Database::OpenInMemory();
  ASSERT_TRUE(mem.ok());
  auto from = Migrate(*mem);
  ASSERT_TRUE(from.ok());
  EXPECT_EQ(*from, 0);
  EXPECT_EQ(*SchemaVersion(*mem), LatestSchemaVersion());
}

TEST(DataFolderTest, DatabaseFromANewerVersionIsRefused) {
  TempDir tmp;
  const std::string path = tmp.Sub("data");
  {
    DataFolder data = MustOpen(path);
    ASSERT_TRUE(data.database().ExecScript("INSERT INTO schema_version (version) VALUES (999)").ok());
  }
  SeededRandom random(1);
  auto data = DataFolder::Open(path, random, kNow);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.error().code, StoreErrorCode::kSchemaTooNew);
}

TEST(DataFolderTest, AuditLogAppendsAndIsAppendOnly) {
  TempDir tmp;
  DataFolder data = MustOpen(tmp.Sub("data"));
  auto a = data.AppendAudit(kNow, "admin", "token.create", "room=standup identity=ada");
  auto b = data.AppendAudit(kNow + 1, "system", "key.create", "");
  auto c = data.AppendAudit(kNow + 2, "admin", "room.policy", "x');DELETE FROM audit_log;--");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_LT(*a, *b);
  EXPECT_LT(*b, *c);

  auto all = data.ReadAudit(0, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  const AuditEntry& first = (*all)[0];
  EXPECT_EQ(first.seq, *a);
  EXPECT_EQ(first.time, kNow);
  EXPECT_EQ(first.actor, "admin");
  EXPECT_EQ(first.action, "token.create");
  EXPECT_EQ(first.detail, "room=standup identity=ada");
  EXPECT_EQ(first.hash, AuditRowHash(first));
  EXPECT_EQ((*all)[2].detail, "x');DELETE FROM audit_log;--");
  auto tail = data.ReadAudit(*a, 1);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 1u);
  EXPECT_EQ((*tail)[0].seq, *b);

  // Even raw SQL cannot rewrite or remove history.
  EXPECT_FALSE(data.database().ExecScript("UPDATE audit_log SET actor = 'mallory'").ok());
  EXPECT_FALSE(data.database().ExecScript("DELETE FROM audit_log").ok());
  EXPECT_EQ(data.ReadAudit(0, 100)->size(), 3u);

  EXPECT_FALSE(data.AppendAudit(kNow, std::string(kMaxAuditFieldSize + 1, 'a'), "x", "").ok());
}

TEST(DataFolderTest, RoomPolicyRoundTrip) {
  TempDir tmp;
  const std::string path = tmp.Sub("data");
  {
    DataFolder data = MustOpen(path);
    EXPECT_FALSE(data.GetRoomPolicy("standup")->has_value());
    ASSERT_TRUE(data.PutRoomPolicy({"standup", true, 8}).ok());
    ASSERT_TRUE(data.PutRoomPolicy({"lobby", false, 50}).ok());
    ASSERT_TRUE(data.PutRoomPolicy({"standup", false, 3}).ok());  // replaces
  }
  DataFolder data = MustOpen(path);  // survives reopening
  EXPECT_EQ(data.GetRoomPolicy("standup")->value(), (RoomPolicy{"standup", false, 3}));
  EXPECT_EQ(data.GetRoomPolicy("lobby")->value(), (RoomPolicy{"lobby", false, 50}));
  EXPECT_FALSE(data.GetRoomPolicy("Standup")->has_value());

  EXPECT_EQ(data.PutRoomPolicy({"", false, 3}).error().code, StoreErrorCode::kInvalidArgument);
  EXPECT_EQ(data.PutRoomPolicy({std::string(kMaxRoomIdSize + 1, 'r'), false, 3}).error().code,
            StoreErrorCode::kInvalidArgument);
  EXPECT_EQ(data.PutRoomPolicy({"r", false, 0}).error().code, StoreErrorCode::kInvalidArgument);
  EXPECT_EQ(data.PutRoomPolicy({"r", false, kMaxParticipantsLimit + 1}).error().code,
            StoreErrorCode::kInvalidArgument);
  EXPECT_FALSE(data.GetRoomPolicy("r")->has_value());
}

TEST(DataFolderTest, RelayOnlyPolicyRoundTrips) {
  TempDir tmp;
  DataFolder data = MustOpen(tmp.Sub("data"));
  ASSERT_TRUE(data.PutRoomPolicy({"private", false, 8, false, true}).ok());
  EXPECT_EQ(data.GetRoomPolicy("private")->value(), (RoomPolicy{"private", false, 8, false, true}));
  ASSERT_TRUE(data.PutRoomPolicy({"private", false, 8, false, false}).ok());
  EXPECT_FALSE(data.GetRoomPolicy("private")->value().relay_only);
}

TEST(DataFolderTest, LobbyPolicyRoundTrips) {
  TempDir tmp;
  DataFolder data = MustOpen(tmp.Sub("data"));
  ASSERT_TRUE(data.PutRoomPolicy({"standup", false, 8, true}).ok());
  EXPECT_EQ(data.GetRoomPolicy("standup")->value(), (RoomPolicy{"standup", false, 8, true}));
  ASSERT_TRUE(data.PutRoomPolicy({"standup", false, 8, false}).ok());
  EXPECT_FALSE(data.GetRoomPolicy("standup")->value().lobby);
}

TEST(DataFolderTest, RevocationsByTokenIdAndByIdentity) {
  TempDir tmp;
  DataFolder data = MustOpen(tmp.Sub("data"));
  EXPECT_FALSE(*data.IsRevoked("standup", "ada", std::string("j1"), kNow));
  auto first = data.AddRevocation({0, kNow, "standup", std::nullopt, std::string("j1")}, "cli");
  ASSERT_TRUE(first.ok());
  auto second = data.AddRevocation({0, kNow + 10, "standup", std::string("bob"), std::nullopt}, "cli");
  ASSERT_TRUE(second.ok());
  EXPECT_GT(*second, *first);

  EXPECT_TRUE(*data.IsRevoked("standup", "ada", std::string("j1"), kNow));     // by jti, in any room
  EXPECT_FALSE(*data.IsRevoked("standup", "ada", std::string("j2"), kNow));
  EXPECT_TRUE(*data.IsRevoked("standup", "bob", std::nullopt, kNow + 10));     // issued before: revoked
  EXPECT_FALSE(*data.IsRevoked("standup", "bob", std::nullopt, kNow + 11));    // issued after: valid
  EXPECT_FALSE(*data.IsRevoked("other", "bob", std::nullopt, kNow));           // another room

  auto listed = data.ReadRevocations(0, 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].identity, std::optional<std::string>("bob"));
  EXPECT_EQ(data.ReadRevocations(*first, 10)->size(), 1u);
  // Each revocation is in the audit log with it.
  auto audit = data.ReadLatestAudit(2);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[1].action, "token.revoke");
  EXPECT_EQ((*audit)[1].detail, "room=standup identity=bob");

  EXPECT_EQ(data.AddRevocation({0, kNow, "standup", std::nullopt, std::nullopt}, "cli").error().code,
            StoreErrorCode::kInvalidArgument);
  EXPECT_EQ(data.AddRevocation({0, kNow, "", std::string("x"), std::nullopt}, "cli").error().code,
            StoreErrorCode::kInvalidArgument);
}

TEST(DataFolderTest, SqlInjectionInRoomIdIsStoredVerbatim) {
  TempDir tmp;
  DataFolder data = MustOpen(tmp.Sub("data"));
  const std::string evil = "x'); DROP TABLE room_policy; DELETE FROM api_keys; --";
  ASSERT_TRUE(data.PutRoomPolicy({evil, true, 2}).ok());
  ASSERT_TRUE(data.PutRoomPolicy({"' OR '1'='1", false, 5}).ok());

  EXPECT_EQ(data.GetRoomPolicy(evil)->value(), (RoomPolicy{evil, true, 2}));
  // The classic always-true predicate matches only the row literally named so.
  EXPECT_FALSE(data.GetRoomPolicy("nope' OR '1'='1")->has_value());
  EXPECT_EQ(data.GetRoomPolicy("' OR '1'='1")->value().max_participants, 5);

  auto rows = data.database().Prepare("SELECT room_id FROM room_policy ORDER BY room_id");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->Next(), Statement::Step::kRow);
  EXPECT_EQ(rows->ColumnText(0), "' OR '1'='1");
  ASSERT_EQ(rows->Next(), Statement::Step::kRow);
  EXPECT_EQ(rows->ColumnText(0), evil);
  EXPECT_EQ(rows->Next(), Statement::Step::kDone);
  EXPECT_EQ(data.ApiKeyIds()->size(), 1u);  // api_keys untouched
}

}  // namespace
}  // namespace aegis::store
