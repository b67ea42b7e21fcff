// Sliding replay window (RFC 3711 §3.3.2) over a packet index: the highest
// index seen plus a bitmap of the kSize indices at and below it.
//
//              too old          |<------- kSize ------->|   new
//   ... -----------------------+------------------------+-------->
//                               highest-kSize+1    highest
//
// Check() is cheap and runs before any decryption; Update() runs only after
// the packet authenticated, so forged packets never move the window.
//
// 1024 entries (libsrtp's default is 128; Chrome configures 1024): a
// retransmission on the original SSRC can arrive a second or more late.
// The bitmap is a ring (bit i mod kSize) so advancing clears bits instead of
// shifting the whole map.
#pragma once

#include <array>
#include <cstdint>

#include "base/result.h"
#include "srtp/srtp_error.h"

namespace aegis::srtp {

class ReplayWindow {
 public:
  static constexpr uint64_t kSize = 1024;

  // kReplayed if `index` was seen, kTooOld if it is behind the window.
  Result<void, Error> Check(uint64_t index) const;
  // Records `index` (which passed Check) and advances the window past it.
  void Update(uint64_t index);

  bool empty() const { return empty_; }
  uint64_t highest() const { return highest_; }

 private:
  static constexpr uint64_t kWords = kSize / 64;
  bool Test(uint64_t index) const { return (bits_[(index % kSize) / 64] >> (index % 64)) & 1; }
  void Set(uint64_t index) { bits_[(index % kSize) / 64] |= uint64_t{1} << (index % 64); }
  void Clear(uint64_t index) { bits_[(index % kSize) / 64] &= ~(uint64_t{1} << (index % 64)); }

  std::array<uint64_t, kWords> bits_{};
  uint64_t highest_ = 0;
  bool empty_ = true;
};

}  // namespace aegis::srtp
