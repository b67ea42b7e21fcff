// AuditRecorder: the server's way to write the audit log (docs/audit.md).
// It owns its own connection to the data folder's database, so it does not
// share a SQLite handle with the signaling thread's other store use, and any
// thread may call Record: one mutex serializes them, and SQLite's write lock
// (BEGIN IMMEDIATE) serializes them with other processes (aegis token create,
// aegis room policy) appending to the same chain.
//
// Record appends synchronously (one small transaction and a WAL commit, well
// under a millisecond on a local disk; up to SQLite's 5 s busy timeout if
// another process holds the write lock), stamped with the wall clock. It
// never throws: a failure is counted and returned, and the caller decides
// whether to log it. Do not record per unauthenticated request (a refused
// token flood would become a disk-write flood); record what an authenticated
// participant or an operator did, and what the server did to them.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/result.h"
#include "store/data_folder.h"
#include "store/store_error.h"

namespace aegis::store {

class AuditRecorder {
 public:
  // Wall-clock time in unix seconds.
  using WallClock = std::function<int64_t()>;
  static int64_t SystemWallClock();

  // Opens the data folder at `data_folder` (as aegis serve's --data) with
  // its own connection. `node` names this server in every row it writes
  // (empty for a single node).
  static Result<std::unique_ptr<AuditRecorder>, StoreError> Open(const std::string& data_folder,
                                                                 std::string node = {});

  // For tests: an already opened folder and an injected clock.
  AuditRecorder(DataFolder data, WallClock clock, std::string node = {});

  AuditRecorder(const AuditRecorder&) = delete;
  AuditRecorder& operator=(const AuditRecorder&) = delete;

  // Appends (now, actor, action, detail) to the chain; returns the new seq.
  // A field longer than kMaxAuditFieldSize is cut at a UTF-8 boundary and
  // marked "...[truncated]" rather than losing the event.
  Result<int64_t, StoreError> Record(std::string_view actor, std::string_view action,
                                     std::string_view detail) noexcept;

  uint64_t recorded() const { return recorded_.load(std::memory_order_relaxed); }
  uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

 private:
  std::mutex mutex_;
  DataFolder data_;  // guarded by mutex_
  WallClock clock_;
  const std::string node_;
  std::atomic<uint64_t> recorded_{0};
  std::atomic<uint64_t> failures_{0};
};

}  // namespace aegis::store
