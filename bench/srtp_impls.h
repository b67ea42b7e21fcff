// The three SRTP implementations the benchmark compares, behind one
// interface: Aegis, libsrtp2, and raw OpenSSL EVP calls with no SRTP framing
// (the practical limit of the same primitives).
//
// Every packet is a 12-byte RTP header + 1200-byte payload.
//  - Protect(): protects the next packet in place with a fresh SEQ (and so a
//    fresh IV). The buffer is not restored: encrypting ciphertext costs the
//    same as encrypting plaintext.
//  - Unprotect(i): copies ring packet i (genuinely protected beforehand, SEQ
//    increasing along the ring) into a work buffer and unprotects it there.
//    The 1.2 KB copy is the same for all three implementations.
//  - ResetReceiver(): at the end of the ring the receiver's replay state
//    for the SSRC is dropped (Aegis RemoveSsrc, libsrtp srtp_remove_stream)
//    and re-primed with a packet whose SEQ precedes the ring, so that the
//    ring can be replayed without tripping the replay window and without
//    timing stream creation. The benchmark runs it with the timer paused.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "srtp/profile.h"

namespace aegis::bench {

inline constexpr size_t kHeaderSize = 12;
inline constexpr size_t kPayloadSize = 1200;
inline constexpr size_t kPacketSize = kHeaderSize + kPayloadSize;
inline constexpr size_t kRingSize = 1024;  // 1.2 MB of packets: fits L2 (2 MB/core here)

class SrtpImpl {
 public:
  virtual ~SrtpImpl() = default;
  virtual bool Protect() = 0;
  virtual bool Unprotect(size_t ring_index) = 0;
  virtual bool ResetReceiver() = 0;
};

std::unique_ptr<SrtpImpl> MakeAegisImpl(srtp::Profile profile);
std::unique_ptr<SrtpImpl> MakeLibSrtpImpl(srtp::Profile profile);
// Only AEAD_AES_128_GCM and AES_CM_128_HMAC_SHA1_80 (nullptr otherwise).
std::unique_ptr<SrtpImpl> MakeOpenSslImpl(srtp::Profile profile);

}  // namespace aegis::bench
