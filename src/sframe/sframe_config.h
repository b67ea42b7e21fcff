// Settings of SframeSender and SframeReceiver, and the limits both apply.
#pragma once

#include <cstddef>

#include "sframe/cipher_suite.h"

namespace aegis::sframe {

// Largest plaintext (or ciphertext body) accepted: far above any video
// frame, far below the 2^36-byte GCM limit and int-sized OpenSSL lengths.
inline constexpr size_t kMaxFrameSize = size_t{1} << 26;  // 64 MiB

struct SenderConfig {
  CipherSuite suite = kDefaultCipherSuite;
  // Send keys held at once: the current one and a few being rolled in.
  size_t max_keys = 8;
};

struct ReceiverConfig {
  CipherSuite suite = kDefaultCipherSuite;
  // Receive keys held at once (every sender's current and next keys); a key
  // beyond this is refused with kTooManyKeys.
  size_t max_keys = 64;
  // Per-KID anti-replay window (replay_window.h). On by default; RFC 9605
  // makes it optional, and an application that re-delivers frames on
  // purpose (a test re-decrypting a capture) may turn it off.
  bool replay_protection = true;
};

}  // namespace aegis::sframe
