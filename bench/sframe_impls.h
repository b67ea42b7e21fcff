// The two SFrame encryptors the `aegis-bench sframe` mode compares, behind
// one interface: Aegis (SframeSender / SframeReceiver, suite 0x0004) and raw
// OpenSSL EVP AES-128-GCM with no SFrame framing (the practical limit of the
// same primitive).
//
// Every frame is frame_size bytes of plaintext.
//  - Encrypt(): encrypts the next frame in place with a fresh CTR (and so a
//    fresh nonce). The buffer is not restored: encrypting ciphertext costs
//    the same as encrypting plaintext. Aegis moves the plaintext up to make
//    room for the header (its in-place API); raw OpenSSL has no header.
//  - Decrypt(i): copies ring frame i (genuinely encrypted beforehand, CTR
//    increasing along the ring) into a work buffer and decrypts it there;
//    the copy is the same for both.
//  - ResetReceiver(): at the end of the ring, Aegis's receiver drops and
//    re-adds the key (a fresh replay window), so the ring can be replayed;
//    the benchmark runs it with the timer paused. Raw OpenSSL has no state.
#pragma once

#include <cstddef>
#include <memory>

namespace aegis::bench {

// About 1.2 MB of frames per ring: fits L2 (2 MB per core here).
inline constexpr size_t kSframeRingBytes = 1200 * 1024;

class SframeImpl {
 public:
  virtual ~SframeImpl() = default;
  virtual bool Encrypt() = 0;
  virtual bool Decrypt(size_t ring_index) = 0;
  virtual bool ResetReceiver() = 0;
  virtual size_t ring_size() const = 0;
};

std::unique_ptr<SframeImpl> MakeAegisSframeImpl(size_t frame_size);
std::unique_ptr<SframeImpl> MakeOpenSslGcmImpl(size_t frame_size);

}  // namespace aegis::bench
