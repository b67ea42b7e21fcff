#include "base/time.h"

#include <chrono>

namespace aegis {

Timestamp SystemClock::Now() const {
  auto since_boot = std::chrono::steady_clock::now().time_since_epoch();
  return Timestamp::Micros(std::chrono::duration_cast<std::chrono::microseconds>(since_boot).count());
}

}  // namespace aegis
