#include "sframe/aead.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "base/big_endian.h"

namespace aegis::sframe {

std::unique_ptr<Aead> Aead::Create(CipherSuite suite, std::span<const uint8_t> key) {
  const CipherSuiteParams& p = GetCipherSuiteParams(suite);
  if (key.size() != p.key_size) return nullptr;
  std::unique_ptr<Aead> aead(new Aead());
  aead->tag_size_ = p.tag_size;
  if (p.gcm) {
    aead->gcm_ = crypto::AesGcm::Create(key);
    if (!aead->gcm_) return nullptr;
  } else {
    aead->ctr_ = crypto::AesCtr::Create(key.first(p.enc_key_size));
    aead->hmac_ = crypto::Hmac::Create(p.hash, key.subspan(p.enc_key_size));
    if (!aead->ctr_ || !aead->hmac_) return nullptr;
  }
  return aead;
}

void Aead::ComputeTag(const Nonce& nonce, std::span<const uint8_t> aad1, std::span<const uint8_t> aad2,
                      std::span<const uint8_t> ct, std::span<uint8_t> tag) {
  uint8_t lengths[24];
  StoreBE64(lengths, aad1.size() + aad2.size());
  StoreBE64(lengths + 8, ct.size());
  StoreBE64(lengths + 16, tag_size_);
  uint8_t full[crypto::Hmac::kMaxSize];
  hmac_->Init();
  hmac_->Update(lengths);
  hmac_->Update(nonce);
  hmac_->Update(aad1);
  hmac_->Update(aad2);
  hmac_->Update(ct);
  hmac_->Final(std::span(full, hmac_->size()));
  std::copy_n(full, tag_size_, tag.begin());
}

namespace {

// AES-CTR's first counter block: the nonce, then a 32-bit block counter at 0.
std::array<uint8_t, 16> CounterBlock(const Nonce& nonce) {
  std::array<uint8_t, 16> block{};
  std::copy(nonce.begin(), nonce.end(), block.begin());
  return block;
}

}  // namespace

bool Aead::Seal(const Nonce& nonce, std::span<const uint8_t> aad1, std::span<const uint8_t> aad2,
                std::span<uint8_t> data, std::span<uint8_t> tag) {
  if (tag.size() != tag_size_) return false;
  if (gcm_) return gcm_->Seal(nonce, {aad1, aad2}, data, tag);
  ctr_->Apply(CounterBlock(nonce), data);
  ComputeTag(nonce, aad1, aad2, data, tag);
  return true;
}

bool Aead::Open(const Nonce& nonce, std::span<const uint8_t> aad1, std::span<const uint8_t> aad2,
                std::span<uint8_t> data, std::span<const uint8_t> tag) {
  if (tag.size() != tag_size_) return false;
  if (gcm_) {
    if (gcm_->Open(nonce, {aad1, aad2}, data, tag)) return true;
    if (!data.empty()) std::memset(data.data(), 0, data.size());
    return false;
  }
  uint8_t expected[kMaxTagSize];
  ComputeTag(nonce, aad1, aad2, data, std::span(expected, tag_size_));
  if (!crypto::ConstantTimeEquals(std::span<const uint8_t>(expected, tag_size_), tag)) return false;
  ctr_->Apply(CounterBlock(nonce), data);
  return true;
}

}  // namespace aegis::sframe
