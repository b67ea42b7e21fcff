// Where the server's security events go: joins, leaves, kicks, mutes, lobby
// decisions, revocations. serve_command.cc backs it with the data folder's
// tamper-evident audit log (store/audit_recorder.h, docs/audit.md).
// Implementations are thread-safe (media workers and the signaling thread
// call it) and never throw; a failed write is counted, not fatal.
#pragma once

#include <string_view>

namespace aegis::server {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual void Record(std::string_view actor, std::string_view action, std::string_view detail) = 0;
};

}  // namespace aegis::server
