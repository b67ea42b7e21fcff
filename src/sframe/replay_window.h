// Receiver-side anti-replay over the CTR of one KID: the highest CTR
// accepted plus a bitmap of the kSize CTRs at and below it.
//
// RFC 9605 leaves anti-replay to the application (§9.3) and suggests this
// RFC 3711-style window. Aegis turns it on by default (ReceiverConfig): in an
// E2EE room the SFU is the attacker (docs/e2ee.md) and terminates SRTP, so
// SRTP's own window does not stop it from re-sending an old frame; the
// window also limits a forgery found against a short tag to one use (§7.5).
//
// Check() runs before decryption; Update() only after the tag verified, so
// a forged frame never moves the window. A sender's CTR counts every frame it
// encrypts under the KID (all its tracks, all simulcast layers), so gaps are
// normal; 1024 CTRs cover seconds of reordering between audio and video.
#pragma once

#include <array>
#include <cstdint>

#include "base/result.h"
#include "sframe/sframe_error.h"

namespace aegis::sframe {

class ReplayWindow {
 public:
  static constexpr uint64_t kSize = 1024;

  // kReplayed if `ctr` was accepted, kTooOld if it is behind the window.
  Result<void, Error> Check(uint64_t ctr) const;
  // Records `ctr`, which passed Check(), and slides the window up to it.
  void Update(uint64_t ctr);

 private:
  static constexpr uint64_t kWords = kSize / 64;
  uint64_t& Word(uint64_t ctr) { return bits_[(ctr % kSize) / 64]; }
  bool Test(uint64_t ctr) const { return (bits_[(ctr % kSize) / 64] >> (ctr % 64)) & 1; }

  std::array<uint64_t, kWords> bits_{};  // a ring: bit ctr mod kSize
  uint64_t highest_ = 0;
  bool empty_ = true;
};

}  // namespace aegis::sframe
