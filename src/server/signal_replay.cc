#include "server/signal_replay.h"

namespace aegis::server {

const std::string& SignalReplay::Number(std::string_view message) {
  // Every message is an object: "{" then its members, or "{}".
  std::string numbered = "{\"seq\":" + std::to_string(next_seq_++);
  if (message.size() > 2) numbered += ',';
  numbered.append(message.substr(1));
  kept_bytes_ += numbered.size();
  kept_.push_back(std::move(numbered));
  // The newest always stays, however large: it is the one being sent.
  while (kept_.size() > 1 && (kept_.size() > kMaxMessages || kept_bytes_ > kMaxBytes)) {
    kept_bytes_ -= kept_.front().size();
    kept_.pop_front();
  }
  return kept_.back();
}

std::optional<std::vector<const std::string*>> SignalReplay::After(uint64_t last_seen) const {
  if (last_seen > last_seq()) return std::nullopt;
  const uint64_t first_kept = next_seq_ - kept_.size();
  if (last_seen + 1 < first_kept) return std::nullopt;  // a message it missed is gone
  std::vector<const std::string*> out;
  for (uint64_t seq = last_seen + 1; seq < next_seq_; ++seq) out.push_back(&kept_[seq - first_kept]);
  return out;
}

}  // namespace aegis::server
