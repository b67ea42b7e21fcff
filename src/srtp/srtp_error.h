// Errors of the SRTP layer, one per reason a packet is refused, and the
// per-session drop counters indexed by them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace aegis::srtp {

enum class Error : uint8_t {
  kTooShort,         // shorter than header + trailer
  kTooLong,          // longer than any packet SRTP protects (65535 bytes)
  kBadHeader,        // not version 2, or the header claims more bytes than the packet has
  kAuthFailed,       // tag does not verify
  kReplayed,         // index already seen (receiver) or already used (sender)
  kTooOld,           // index behind the replay window: cannot tell whether it is a replay
  kIndexExhausted,   // 2^48 SRTP or 2^31 SRTCP packets under one key: re-keying is needed
  kTooManySsrcs,     // the per-session SSRC cap is reached
  kBufferTooSmall,   // packet_len exceeds the buffer, or no room for the trailer
  kInvalidKey,       // key or salt of the wrong length for the profile
  kCryptoFailure,    // OpenSSL failed (should never happen)
};
inline constexpr size_t kErrorCount = static_cast<size_t>(Error::kCryptoFailure) + 1;

const char* ErrorName(Error error);

// What a sender or receiver refused, by reason. Read by metrics; never reset
// by the layer itself.
class DropCounters {
 public:
  void Count(Error e) { ++drops_[static_cast<size_t>(e)]; }
  uint64_t drops(Error e) const { return drops_[static_cast<size_t>(e)]; }
  uint64_t total_drops() const {
    uint64_t sum = 0;
    for (uint64_t d : drops_) sum += d;
    return sum;
  }

 private:
  std::array<uint64_t, kErrorCount> drops_{};
};

}  // namespace aegis::srtp
