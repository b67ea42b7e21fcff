#include "store/sqlite.h"

#include <gtest/gtest.h>

#include <vector>

namespace aegis::store {
namespace {

Database Memory() {
  auto db = Database::OpenInMemory();
  EXPECT_TRUE(db.ok());
  auto r = db->ExecScript("CREATE TABLE t (k TEXT PRIMARY KEY, v BLOB, n INTEGER);");
  EXPECT_TRUE(r.ok());
  return std::move(db).value();
}

int64_t Count(Database& db) {
  auto stmt = db.Prepare("SELECT count(*) FROM t");
  EXPECT_TRUE(stmt.ok());
  EXPECT_EQ(stmt->Next(), Statement::Step::kRow);
  return stmt->ColumnInt(0);
}

TEST(SqliteTest, BindAndReadBackEveryType) {
  Database db = Memory();
  const std::string key("a\0b'\"; --", 9);  // embedded NUL and quotes survive binding
  const std::vector<uint8_t> blob = {0, 1, 2, 0xff};
  auto insert = db.Prepare("INSERT INTO t (k, v, n) VALUES (?1, ?2, ?3)");
  ASSERT_TRUE(insert.ok());
  ASSERT_TRUE(insert->BindText(1, key));
  ASSERT_TRUE(insert->BindBlob(2, blob));
  ASSERT_TRUE(insert->BindInt(3, -(int64_t{1} << 40)));
  ASSERT_TRUE(insert->Run().ok());
  EXPECT_EQ(db.Changes(), 1);

  auto select = db.Prepare("SELECT k, v, n FROM t WHERE k = ?1");
  ASSERT_TRUE(select.ok());
  ASSERT_TRUE(select->BindText(1, key));
  ASSERT_EQ(select->Next(), Statement::Step::kRow);
  EXPECT_EQ(select->ColumnText(0), key);
  auto v = select->ColumnBlob(1);
  EXPECT_EQ(std::vector<uint8_t>(v.begin(), v.end()), blob);
  EXPECT_EQ(select->ColumnInt(2), -(int64_t{1} << 40));
  EXPECT_EQ(select->Next(), Statement::Step::kDone);
}

TEST(SqliteTest, ResetAllowsReuseAndClearsBindings) {
  Database db = Memory();
  auto insert = db.Prepare("INSERT INTO t (k, n) VALUES (?1, ?2)");
  ASSERT_TRUE(insert.ok());
  for (int i = 0; i < 3; ++i) {
    insert->Reset();
    ASSERT_TRUE(insert->BindText(1, std::to_string(i)));
    ASSERT_TRUE(insert->BindInt(2, i));
    ASSERT_TRUE(insert->Run().ok());
  }
  EXPECT_EQ(Count(db), 3);
  // A unique-key violation is an error, not a silent no-op.
  insert->Reset();
  ASSERT_TRUE(insert->BindText(1, "1"));
  auto dup = insert->Run();
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, StoreErrorCode::kSqlite);
  EXPECT_NE(dup.error().message.find("UNIQUE"), std::string::npos) << dup.error().message;
}

TEST(SqliteTest, PrepareRefusesMoreThanOneStatementAndBadSql) {
  Database db = Memory();
  EXPECT_FALSE(db.Prepare("SELECT 1; SELECT 2").ok());
  EXPECT_FALSE(db.Prepare("SELEKT 1").ok());
  EXPECT_TRUE(db.Prepare("SELECT 1;  ").ok());
  EXPECT_FALSE(db.ExecScript("CREATE TABLE u (x); NOT SQL;").ok());
}

TEST(SqliteTest, TransactionRollsBackUnlessCommitted) {
  Database db = Memory();
  {
    auto tx = Transaction::Begin(db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db.ExecScript("INSERT INTO t (k) VALUES ('dropped')").ok());
    EXPECT_EQ(Count(db), 1);
  }
  EXPECT_EQ(Count(db), 0);
  {
    auto tx = Transaction::Begin(db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db.ExecScript("INSERT INTO t (k) VALUES ('kept')").ok());
    ASSERT_TRUE(tx->Commit().ok());
    EXPECT_FALSE(tx->Commit().ok());  // only once
  }
  EXPECT_EQ(Count(db), 1);
  // A moved-from transaction does not roll back twice.
  {
    auto tx = Transaction::Begin(db);
    ASSERT_TRUE(tx.ok());
    Transaction moved(std::move(*tx));
    ASSERT_TRUE(db.ExecScript("INSERT INTO t (k) VALUES ('also kept')").ok());
    ASSERT_TRUE(moved.Commit().ok());
  }
  EXPECT_EQ(Count(db), 2);
}

TEST(SqliteTest, OpenNeverCreatesAFile) {
  auto db = Database::Open("/nonexistent-aegis-dir/aegis.db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, StoreErrorCode::kSqlite);
}

}  // namespace
}  // namespace aegis::store
