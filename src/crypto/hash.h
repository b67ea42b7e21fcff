// Hash algorithms, one-shot digests and HMAC.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <vector>

namespace aegis::crypto {

enum class HashAlgorithm { kMd5, kSha1, kSha256, kSha384, kSha512 };

size_t DigestSize(HashAlgorithm alg);

// One-shot digest of the concatenation of `parts`.
std::vector<uint8_t> Digest(HashAlgorithm alg, std::initializer_list<std::span<const uint8_t>> parts);

// Keyed HMAC, reusable: the key is set once and every Init() restarts the MAC
// without reallocating, so SRTP and STUN can authenticate per packet cheaply.
class Hmac {
 public:
  static constexpr size_t kMaxSize = 64;

  // nullptr only if OpenSSL cannot provide the algorithm.
  static std::unique_ptr<Hmac> Create(HashAlgorithm alg, std::span<const uint8_t> key);
  ~Hmac();
  Hmac(const Hmac&) = delete;
  Hmac& operator=(const Hmac&) = delete;

  size_t size() const { return size_; }
  void Init();
  void Update(std::span<const uint8_t> data);
  // Writes the full MAC (size() bytes) into out, which must hold size() bytes.
  void Final(std::span<uint8_t> out);

  // Init + Update(parts...) + Final.
  void Compute(std::initializer_list<std::span<const uint8_t>> parts, std::span<uint8_t> out);

 private:
  struct Ctx;
  Hmac(std::unique_ptr<Ctx> ctx, size_t size);
  std::unique_ptr<Ctx> ctx_;
  size_t size_;
};

// One-shot HMAC of the concatenation of `parts`.
std::vector<uint8_t> HmacOnce(HashAlgorithm alg, std::span<const uint8_t> key,
                              std::initializer_list<std::span<const uint8_t>> parts);

// Compares in time independent of where the inputs differ.
bool ConstantTimeEquals(std::span<const uint8_t> a, std::span<const uint8_t> b);

}  // namespace aegis::crypto
