#include "sframe/replay_window.h"

namespace aegis::sframe {

static_assert(ReplayWindow::kSize % 64 == 0);

Result<void, Error> ReplayWindow::Check(uint64_t ctr) const {
  if (empty_ || ctr > highest_) return {};
  if (highest_ - ctr >= kSize) return Err{Error::kTooOld};
  if (Test(ctr)) return Err{Error::kReplayed};
  return {};
}

void ReplayWindow::Update(uint64_t ctr) {
  if (!empty_ && ctr <= highest_) {
    if (highest_ - ctr < kSize) Word(ctr) |= uint64_t{1} << (ctr % 64);
    return;
  }
  if (empty_ || ctr - highest_ >= kSize) {
    bits_.fill(0);
  } else {
    // CTRs highest+1 .. ctr enter the window unseen: usually just one.
    for (uint64_t c = highest_ + 1; c != ctr; ++c) Word(c) &= ~(uint64_t{1} << (c % 64));
  }
  empty_ = false;
  highest_ = ctr;
  Word(ctr) |= uint64_t{1} << (ctr % 64);
}

}  // namespace aegis::sframe

