// Key material that wipes itself. Keys live in SecretBytes so that leaving a
// call, rotating keys or destroying a context never leaves them in freed
// memory (docs/security.md, "lingering sessions").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace aegis::crypto {

// Overwrites memory in a way the compiler may not optimize away.
void SecureWipe(std::span<uint8_t> bytes);

// Up to 64 bytes of secret, fixed capacity (no heap), wiped on destruction.
class SecretBytes {
 public:
  static constexpr size_t kCapacity = 64;

  SecretBytes() = default;
  // Copies at most kCapacity bytes; longer input is truncated (callers pass
  // protocol-defined key sizes, all far below the capacity).
  explicit SecretBytes(std::span<const uint8_t> bytes);
  SecretBytes(const SecretBytes& other);
  SecretBytes& operator=(const SecretBytes& other);
  ~SecretBytes();

  std::span<const uint8_t> view() const { return {data_.data(), size_}; }
  std::span<uint8_t> mutable_view() { return {data_.data(), size_}; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void Wipe();

 private:
  std::array<uint8_t, kCapacity> data_{};
  size_t size_ = 0;
};

}  // namespace aegis::crypto
