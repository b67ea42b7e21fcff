#include "crypto/secure_memory.h"

#include <openssl/crypto.h>

#include <algorithm>

namespace aegis::crypto {

void SecureWipe(std::span<uint8_t> bytes) {
  if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
}

SecretBytes::SecretBytes(std::span<const uint8_t> bytes) : size_(std::min(bytes.size(), kCapacity)) {
  std::copy_n(bytes.begin(), size_, data_.begin());
}

SecretBytes::SecretBytes(const SecretBytes& other) : data_(other.data_), size_(other.size_) {}

SecretBytes& SecretBytes::operator=(const SecretBytes& other) {
  if (this != &other) {
    Wipe();
    data_ = other.data_;
    size_ = other.size_;
  }
  return *this;
}

SecretBytes::~SecretBytes() { Wipe(); }

void SecretBytes::Wipe() {
  SecureWipe(data_);
  size_ = 0;
}

}  // namespace aegis::crypto
