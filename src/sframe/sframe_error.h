// Errors of the SFrame layer, one per reason a frame is refused, and the
// counters a sender or receiver keeps of what it did and refused.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace aegis::sframe {

enum class Error : uint8_t {
  kTooShort,            // truncated header, or no room for the tag after it
  kNonMinimalHeader,    // KID or CTR not in its shortest encoding (§4.3 MUST)
  kTooLong,             // frame beyond kMaxFrameSize
  kUnknownKid,          // no key for the KID (the frame is left untouched)
  kAuthFailed,          // tag does not verify
  kReplayed,            // CTR already accepted under this KID
  kTooOld,              // CTR behind the replay window: cannot tell if replayed
  kCounterExhausted,    // 2^64 frames under one key: a new key is needed
  kBufferTooSmall,      // plaintext_len beyond the buffer, or no room for header + tag
  kTooManyKeys,         // the key table is full
  kInvalidKey,          // base key shorter than kMinBaseKeySize
  kInvalidCipherSuite,  // not one of 0x0001-0x0005
  kCryptoFailure,       // OpenSSL failed (should never happen)
};
inline constexpr size_t kErrorCount = static_cast<size_t>(Error::kCryptoFailure) + 1;

const char* ErrorName(Error error);

// Frames processed and refused, by reason. Read by metrics; never reset by
// the layer itself. A failed authentication is a counted drop like any other.
class Counters {
 public:
  void Count(Error e) { ++drops_[static_cast<size_t>(e)]; }
  void CountFrame() { ++frames_; }

  uint64_t frames() const { return frames_; }  // encrypted or decrypted successfully
  uint64_t drops(Error e) const { return drops_[static_cast<size_t>(e)]; }
  uint64_t total_drops() const {
    uint64_t sum = 0;
    for (uint64_t d : drops_) sum += d;
    return sum;
  }

 private:
  uint64_t frames_ = 0;
  std::array<uint64_t, kErrorCount> drops_{};
};

}  // namespace aegis::sframe
