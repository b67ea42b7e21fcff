// AES-GCM (128 or 256 by key length) with a 96-bit IV, as SRTP (RFC 7714),
// DTLS and SFrame use it. Separate encrypt and decrypt contexts are made once
// per key; Seal/Open only set the IV, so the hot path never allocates.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>

namespace aegis::crypto {

using ByteSpan = std::span<const uint8_t>;

class AesGcm {
 public:
  static constexpr size_t kIvSize = 12;
  static constexpr size_t kMaxTagSize = 16;

  // nullptr if the key is not 16 or 32 bytes.
  static std::unique_ptr<AesGcm> Create(std::span<const uint8_t> key);
  ~AesGcm();
  AesGcm(const AesGcm&) = delete;
  AesGcm& operator=(const AesGcm&) = delete;

  // Encrypts `data` in place and writes tag.size() bytes (4..16) of tag.
  // `aad` parts are authenticated in order, as if concatenated.
  bool Seal(std::span<const uint8_t, kIvSize> iv, std::initializer_list<ByteSpan> aad, std::span<uint8_t> data,
            std::span<uint8_t> tag);
  // Decrypts `data` in place; false (and data unspecified) if the tag does
  // not verify. The caller must not use `data` after a false return.
  bool Open(std::span<const uint8_t, kIvSize> iv, std::initializer_list<ByteSpan> aad, std::span<uint8_t> data,
            std::span<const uint8_t> tag);

 private:
  struct Ctx;
  explicit AesGcm(std::unique_ptr<Ctx> ctx);
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace aegis::crypto
