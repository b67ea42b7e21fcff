// Shared by the SRTP fuzzers: fixed keys, and a cursor over the fuzz input
// that yields zeros once the input is used up (so every input is valid).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "srtp/srtp_receiver.h"
#include "srtp/srtp_sender.h"

namespace aegis::srtp::fuzz {

inline constexpr Profile kProfiles[] = {Profile::kAes128CmHmacSha1_80, Profile::kAes128CmHmacSha1_32,
                                        Profile::kAeadAes128Gcm, Profile::kAeadAes256Gcm};

struct Contexts {
  SrtpSender sender;
  SrtpReceiver receiver;
};

inline Contexts MakeContexts(Profile profile) {
  static const uint8_t kKey[32] = {0x5a, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
                                   0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
                                   0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
  static const uint8_t kSalt[14] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
                                    0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad};
  const ProfileParams& p = GetProfileParams(profile);
  SrtpConfig config;
  config.max_ssrcs = 4;
  auto s = SrtpSender::Create(profile, std::span(kKey, p.key_size), std::span(kSalt, p.salt_size), config);
  auto r = SrtpReceiver::Create(profile, std::span(kKey, p.key_size), std::span(kSalt, p.salt_size), config);
  if (!s.ok() || !r.ok()) abort();
  return Contexts{std::move(s).value(), std::move(r).value()};
}

class Cursor {
 public:
  Cursor(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  uint8_t U8() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint16_t U16() { return static_cast<uint16_t>(U8() << 8 | U8()); }
  void Append(std::vector<uint8_t>& out, size_t n) {
    for (size_t i = 0; i < n; ++i) out.push_back(U8());
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// Applies mutation `kind` to a protected packet; false if it left the
// packet unchanged (kind 0, or a no-op).
inline bool Mutate(std::vector<uint8_t>& packet, uint8_t kind, Cursor& in) {
  switch (kind % 5) {
    case 1: {  // flip one bit
      size_t at = in.U16() % packet.size();
      packet[at] ^= static_cast<uint8_t>(1u << (in.U8() % 8));
      return true;
    }
    case 2: {  // truncate
      size_t cut = 1 + in.U8() % packet.size();
      packet.resize(packet.size() - cut);
      return true;
    }
    case 3: {  // append bytes
      in.Append(packet, 1 + in.U8() % 16);
      return true;
    }
    case 4: {  // overwrite a byte with a different value
      size_t at = in.U16() % packet.size();
      uint8_t v = in.U8();
      if (v == packet[at]) v = static_cast<uint8_t>(v + 1);
      packet[at] = v;
      return true;
    }
    default: return false;
  }
}

}  // namespace aegis::srtp::fuzz
