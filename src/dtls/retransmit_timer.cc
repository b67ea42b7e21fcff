#include "dtls/retransmit_timer.h"

#include <algorithm>

namespace aegis::dtls {

void RetransmitTimer::Start(Timestamp now) {
  wait_ = policy_.initial;
  retransmissions_ = 0;
  deadline_ = now + wait_;
}

void RetransmitTimer::Stop() {
  deadline_.reset();
  retransmissions_ = 0;
}

bool RetransmitTimer::OnExpired(Timestamp now) {
  if (retransmissions_ >= policy_.max_retransmissions) {
    deadline_.reset();
    return false;
  }
  ++retransmissions_;
  wait_ = std::min(wait_ * 2, policy_.max);
  deadline_ = now + wait_;
  return true;
}

}  // namespace aegis::dtls
