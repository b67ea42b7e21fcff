// A participant's signaling messages, numbered and kept for a while, so a
// client whose WebSocket dropped can resume and get exactly what it missed:
// whatever went into the dead socket's buffers and whatever was sent while
// it had none. Each message (a JSON object) gets "seq" as its first member,
// 1, 2, 3, ...; the client remembers the last seq it read and, resuming,
// asks for what follows.
//
// Bounded: the last kMaxMessages messages and kMaxBytes bytes; a client
// that missed more than that cannot resume (it joins again).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aegis::server {

class SignalReplay {
 public:
  static constexpr size_t kMaxMessages = 1024;
  static constexpr size_t kMaxBytes = 2 << 20;

  // `message` with its number, kept for replay; the text to send.
  const std::string& Number(std::string_view message);
  // The kept messages after `last_seen`, in order; nullopt if some of them
  // are no longer kept, or `last_seen` is a number not given yet.
  std::optional<std::vector<const std::string*>> After(uint64_t last_seen) const;
  uint64_t last_seq() const { return next_seq_ - 1; }

 private:
  uint64_t next_seq_ = 1;
  std::deque<std::string> kept_;  // numbers next_seq_ - kept_.size() .. next_seq_ - 1
  size_t kept_bytes_ = 0;
};

}  // namespace aegis::server
