#include "store/sqlite.h"

#include <sqlite3.h>

#include <utility>

namespace aegis::store {
namespace {

StoreError SqliteError(sqlite3* db, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db ? sqlite3_errmsg(db) : "out of memory";
  return StoreError{StoreErrorCode::kSqlite, std::move(message)};
}

}  // namespace

// ---- Statement ----

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

bool Statement::BindInt(int index, int64_t value) {
  return sqlite3_bind_int64(stmt_, index, value) == SQLITE_OK;
}

bool Statement::BindText(int index, std::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies, so the caller's buffer may go away.
  return sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8) == SQLITE_OK;
}

bool Statement::BindNull(int index) { return sqlite3_bind_null(stmt_, index) == SQLITE_OK; }

bool Statement::BindBlob(int index, std::span<const uint8_t> value) {
  return sqlite3_bind_blob64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT) == SQLITE_OK;
}

Statement::Step Statement::Next() {
  switch (sqlite3_step(stmt_)) {
    case SQLITE_ROW: return Step::kRow;
    case SQLITE_DONE: return Step::kDone;
    default: return Step::kError;
  }
}

Result<void, StoreError> Statement::Run() {
  for (;;) {
    switch (Next()) {
      case Step::kRow: continue;
      case Step::kDone: return {};
      case Step::kError: return Err{LastError()};
    }
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr || size <= 0) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

std::span<const uint8_t> Statement::ColumnBlob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (blob == nullptr || size <= 0) return {};
  return {static_cast<const uint8_t*>(blob), static_cast<size_t>(size)};
}

bool Statement::ColumnIsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

StoreError Statement::LastError() const { return SqliteError(db_, "sqlite statement"); }

// ---- Database ----

Result<Database, StoreError> Database::OpenWith(const char* path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path, &raw, flags, nullptr);
  Database db(raw);  // closes `raw` on every path below
  if (rc != SQLITE_OK) return Err{SqliteError(raw, std::string("cannot open ") + path)};
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 5000);
  // Harden the connection: no schema tricks that corrupt the file, no SQL
  // functions run from the schema, no extension loading.
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
  return db;
}

Result<Database, StoreError> Database::Open(const std::string& path) {
  return OpenWith(path.c_str(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX);
}

Result<Database, StoreError> Database::OpenInMemory() {
  return OpenWith(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY | SQLITE_OPEN_FULLMUTEX);
}

Database::Database(Database&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Database::~Database() { sqlite3_close_v2(db_); }

Result<Statement, StoreError> Database::Prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, &tail) != SQLITE_OK || stmt == nullptr) {
    sqlite3_finalize(stmt);
    return Err{SqliteError(db_, "sqlite prepare")};
  }
  Statement statement(db_, stmt);
  for (; *tail != '\0'; ++tail) {
    if (*tail != ' ' && *tail != '\n' && *tail != '\t' && *tail != ';') {
      return Err{StoreError{StoreErrorCode::kInvalidArgument, "sqlite prepare: more than one statement"}};
    }
  }
  return statement;
}

Result<void, StoreError> Database::ExecScript(const char* sql) {
  const char* next = sql;
  while (next != nullptr && *next != '\0') {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    if (sqlite3_prepare_v2(db_, next, -1, &stmt, &tail) != SQLITE_OK) {
      return Err{SqliteError(db_, "sqlite prepare")};
    }
    if (stmt == nullptr) break;  // only whitespace or comments left
    Statement statement(db_, stmt);
    if (auto r = statement.Run(); !r) return r;
    next = tail;
  }
  return {};
}

int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

int Database::Changes() const { return sqlite3_changes(db_); }

bool Database::InTransaction() const { return db_ != nullptr && sqlite3_get_autocommit(db_) == 0; }

StoreError Database::LastError() const { return SqliteError(db_, "sqlite"); }

// ---- Transaction ----

Result<Transaction, StoreError> Transaction::Begin(Database& db) {
  if (auto r = db.ExecScript("BEGIN IMMEDIATE"); !r) return Err{r.error()};
  return Transaction(&db);
}

Result<Transaction, StoreError> Transaction::BeginRead(Database& db) {
  if (auto r = db.ExecScript("BEGIN DEFERRED"); !r) return Err{r.error()};
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->ExecScript("ROLLBACK");
}

Result<void, StoreError> Transaction::Commit() {
  if (db_ == nullptr) return Err{StoreError{StoreErrorCode::kInvalidArgument, "transaction already finished"}};
  auto r = db_->ExecScript("COMMIT");
  // On failure SQLite may keep the transaction open; the destructor rolls back.
  if (r) db_ = nullptr;
  return r;
}

}  // namespace aegis::store
