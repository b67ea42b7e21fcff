// AES in counter mode (AES-128/192/256 by key length) for SRTP's AES-CM and
// SFrame's CTR suites. One OpenSSL context per key, reused for every packet:
// Apply() only resets the IV, it never allocates.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

namespace aegis::crypto {

class AesCtr {
 public:
  // nullptr if the key is not 16, 24 or 32 bytes.
  static std::unique_ptr<AesCtr> Create(std::span<const uint8_t> key);
  ~AesCtr();
  AesCtr(const AesCtr&) = delete;
  AesCtr& operator=(const AesCtr&) = delete;

  // XORs the keystream starting at counter block `iv` into `data` in place.
  void Apply(std::span<const uint8_t, 16> iv, std::span<uint8_t> data);
  // Same, from `in` to `out` (equal sizes).
  void Apply(std::span<const uint8_t, 16> iv, std::span<const uint8_t> in, std::span<uint8_t> out);

 private:
  struct Ctx;
  explicit AesCtr(std::unique_ptr<Ctx> ctx);
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace aegis::crypto
