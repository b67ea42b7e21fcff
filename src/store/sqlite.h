// A small RAII layer over sqlite3: Database owns the connection, Statement a
// prepared statement, Transaction a BEGIN IMMEDIATE ... COMMIT that rolls
// back unless committed. Values only ever reach SQL through Bind* (prepared
// statements); SQL text is always a compile-time constant.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/store_error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace aegis::store {

class Database;

class Statement {
 public:
  enum class Step { kRow, kDone, kError };

  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQLite. Return false on error.
  bool BindInt(int index, int64_t value);
  bool BindText(int index, std::string_view value);
  bool BindBlob(int index, std::span<const uint8_t> value);
  bool BindNull(int index);

  Step Next();
  // Runs to completion (for statements without result rows).
  Result<void, StoreError> Run();
  void Reset();

  int64_t ColumnInt(int column) const;
  std::string ColumnText(int column) const;
  // Points into SQLite's buffer: valid until the next Next()/Reset().
  std::span<const uint8_t> ColumnBlob(int column) const;
  bool ColumnIsNull(int column) const;

  StoreError LastError() const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  // Opens an existing file read-write (never creates it: DataFolder creates
  // it with the right mode first) and refuses to follow a symlink.
  static Result<Database, StoreError> Open(const std::string& path);
  // For tests: a private in-memory database.
  static Result<Database, StoreError> OpenInMemory();

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // `sql` must be exactly one statement.
  Result<Statement, StoreError> Prepare(const char* sql);
  // Runs a constant script of one or more statements, each one prepared and
  // stepped in turn. Only for constant DDL/pragmas.
  Result<void, StoreError> ExecScript(const char* sql);

  int64_t LastInsertRowId() const;
  int Changes() const;
  // True inside BEGIN ... COMMIT (SQLite is not in autocommit mode).
  bool InTransaction() const;
  StoreError LastError() const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  static Result<Database, StoreError> OpenWith(const char* path, int flags);
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE on construction (takes the write lock up front, so two
// processes cannot both read-then-write); ROLLBACK in the destructor unless
// Commit() succeeded. BeginRead is a plain (deferred) BEGIN for a consistent
// read snapshot that does not hold writers back (WAL).
class Transaction {
 public:
  static Result<Transaction, StoreError> Begin(Database& db);
  static Result<Transaction, StoreError> BeginRead(Database& db);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Result<void, StoreError> Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_ = nullptr;  // null once committed or rolled back
};

}  // namespace aegis::store
