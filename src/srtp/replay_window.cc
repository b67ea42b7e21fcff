#include "srtp/replay_window.h"

namespace aegis::srtp {

static_assert(ReplayWindow::kSize % 64 == 0 && ReplayWindow::kSize >= 128);

Result<void, Error> ReplayWindow::Check(uint64_t index) const {
  if (empty_ || index > highest_) return {};
  if (highest_ - index >= kSize) return Err{Error::kTooOld};
  if (Test(index)) return Err{Error::kReplayed};
  return {};
}

void ReplayWindow::Update(uint64_t index) {
  if (empty_) {
    empty_ = false;
    highest_ = index;
  } else if (index > highest_) {
    if (index - highest_ >= kSize) {
      bits_.fill(0);
    } else {
      // Indices highest+1 .. index enter the window unseen: whole words when
      // the jump is large, single bits otherwise (usually exactly one).
      uint64_t i = highest_ + 1;
      while (i <= index) {
        if (i % 64 == 0 && index - i >= 63) {
          bits_[(i % kSize) / 64] = 0;
          i += 64;
        } else {
          Clear(i++);
        }
      }
    }
    highest_ = index;
  } else if (highest_ - index >= kSize) {
    return;  // behind the window: its bit now stands for a newer index
  }
  Set(index);
}

}  // namespace aegis::srtp
