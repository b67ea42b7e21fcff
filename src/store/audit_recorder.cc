#include "store/audit_recorder.h"

#include <chrono>
#include <exception>
#include <utility>

namespace aegis::store {
namespace {

constexpr std::string_view kTruncatedMark = "...[truncated]";

// At most kMaxAuditFieldSize bytes, cut before a UTF-8 continuation byte.
std::string Bounded(std::string_view text) {
  if (text.size() <= kMaxAuditFieldSize) return std::string(text);
  size_t cut = kMaxAuditFieldSize - kTruncatedMark.size();
  while (cut > 0 && (static_cast<uint8_t>(text[cut]) & 0xC0) == 0x80) --cut;
  std::string out(text.substr(0, cut));
  out += kTruncatedMark;
  return out;
}

}  // namespace

int64_t AuditRecorder::SystemWallClock() {
  return static_cast<int64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

Result<std::unique_ptr<AuditRecorder>, StoreError> AuditRecorder::Open(const std::string& data_folder,
                                                                       std::string node) {
  auto data = DataFolder::Open(data_folder);
  if (!data) return Err{data.error()};
  return std::make_unique<AuditRecorder>(std::move(*data), SystemWallClock, std::move(node));
}

AuditRecorder::AuditRecorder(DataFolder data, WallClock clock, std::string node)
    : data_(std::move(data)), clock_(std::move(clock)), node_(Bounded(node)) {}

Result<int64_t, StoreError> AuditRecorder::Record(std::string_view actor, std::string_view action,
                                                  std::string_view detail) noexcept {
  try {
    const std::string a = Bounded(actor), b = Bounded(action), d = Bounded(detail);
    std::lock_guard lock(mutex_);
    auto seq = data_.AppendAudit(clock_(), a, b, d, node_);
    (seq ? recorded_ : failures_).fetch_add(1, std::memory_order_relaxed);
    return seq;
  } catch (const std::exception& e) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    try {
      return Err{StoreError{StoreErrorCode::kSqlite, std::string("audit record failed: ") + e.what()}};
    } catch (...) {
    }
  } catch (...) {
    failures_.fetch_add(1, std::memory_order_relaxed);
  }
  return Err{StoreError{StoreErrorCode::kSqlite, {}}};
}

}  // namespace aegis::store
