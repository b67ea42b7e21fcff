// Per-SSRC state with a hard cap on the number of SSRCs, so that a peer
// cannot grow memory without bound by inventing SSRCs. A flat array scanned
// linearly: a transport carries a handful of SSRCs (audio, video layers,
// RTX), for which this beats hashing. The last hit is tried first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace aegis::srtp {

template <typename State>
class SsrcTable {
 public:
  explicit SsrcTable(size_t capacity) : capacity_(capacity) {}

  size_t size() const { return ssrcs_.size(); }
  size_t capacity() const { return capacity_; }
  bool full() const { return ssrcs_.size() >= capacity_; }

  State* Find(uint32_t ssrc) {
    if (last_ < ssrcs_.size() && ssrcs_[last_] == ssrc) return &states_[last_];
    for (size_t i = 0; i < ssrcs_.size(); ++i) {
      if (ssrcs_[i] == ssrc) {
        last_ = i;
        return &states_[i];
      }
    }
    return nullptr;
  }

  // nullptr if full. The caller checked that `ssrc` is absent. Allocates only
  // when the table grows, which happens once per new SSRC.
  State* Insert(uint32_t ssrc, const State& state) {
    if (full()) return nullptr;
    ssrcs_.push_back(ssrc);
    states_.push_back(state);
    last_ = ssrcs_.size() - 1;
    return &states_.back();
  }

  bool Remove(uint32_t ssrc) {
    for (size_t i = 0; i < ssrcs_.size(); ++i) {
      if (ssrcs_[i] != ssrc) continue;
      ssrcs_[i] = ssrcs_.back();
      states_[i] = states_.back();
      ssrcs_.pop_back();
      states_.pop_back();
      last_ = 0;
      return true;
    }
    return false;
  }

 private:
  size_t capacity_;
  size_t last_ = 0;
  std::vector<uint32_t> ssrcs_;
  std::vector<State> states_;
};

}  // namespace aegis::srtp
