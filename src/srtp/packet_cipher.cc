#include "srtp/packet_cipher.h"

#include <algorithm>

#include "base/big_endian.h"

namespace aegis::srtp {

std::unique_ptr<PacketCipher> PacketCipher::Create(const ProfileParams& params, const SessionKeys& keys,
                                                   size_t tag_size) {
  if (keys.cipher_key.size() != params.key_size || keys.salt.size() != params.salt_size) return nullptr;
  std::unique_ptr<PacketCipher> c(new PacketCipher());
  c->salt_ = keys.salt;
  c->tag_size_ = tag_size;
  if (params.aead) {
    c->gcm_ = crypto::AesGcm::Create(keys.cipher_key.view());
    if (!c->gcm_) return nullptr;
  } else {
    if (keys.auth_key.size() != params.auth_key_size || tag_size > kHmacSha1Size) return nullptr;
    c->ctr_ = crypto::AesCtr::Create(keys.cipher_key.view());
    c->hmac_ = crypto::Hmac::Create(crypto::HashAlgorithm::kSha1, keys.auth_key.view());
    if (!c->ctr_ || !c->hmac_) return nullptr;
  }
  return c;
}

void PacketCipher::ApplyKeystream(uint32_t ssrc, uint64_t index, std::span<uint8_t> data) {
  std::array<uint8_t, 16> iv{};
  auto salt = salt_.view();
  std::copy(salt.begin(), salt.end(), iv.begin());  // 14 bytes: salt·2^16
  uint8_t mix[12];
  StoreBE32(mix, ssrc);
  StoreBE64(mix + 4, index << 16);  // index·2^16 within bytes 8..13
  for (size_t i = 0; i < 12; ++i) iv[4 + i] ^= mix[i];
  ctr_->Apply(iv, data);
}

void PacketCipher::ComputeTag(std::span<const uint8_t> data, std::span<const uint8_t> suffix,
                              std::span<uint8_t> tag) {
  uint8_t full[kHmacSha1Size];
  hmac_->Init();
  hmac_->Update(data);
  if (!suffix.empty()) hmac_->Update(suffix);
  hmac_->Final(full);
  std::copy_n(full, tag.size(), tag.begin());
}

bool PacketCipher::VerifyTag(std::span<const uint8_t> data, std::span<const uint8_t> suffix,
                             std::span<const uint8_t> tag) {
  uint8_t expected[kHmacSha1Size];
  ComputeTag(data, suffix, std::span<uint8_t>(expected, tag.size()));
  return crypto::ConstantTimeEquals(std::span<const uint8_t>(expected, tag.size()), tag);
}

std::array<uint8_t, 12> PacketCipher::GcmIv(uint32_t ssrc, uint64_t index) const {
  std::array<uint8_t, 12> iv{};
  StoreBE32(iv.data() + 2, ssrc);
  StoreBE16(iv.data() + 6, static_cast<uint16_t>(index >> 32));
  StoreBE32(iv.data() + 8, static_cast<uint32_t>(index));
  auto salt = salt_.view();
  for (size_t i = 0; i < iv.size(); ++i) iv[i] ^= salt[i];
  return iv;
}

bool PacketCipher::Seal(uint32_t ssrc, uint64_t index, std::span<const uint8_t> aad1,
                        std::span<const uint8_t> aad2, std::span<uint8_t> data, std::span<uint8_t> tag) {
  auto iv = GcmIv(ssrc, index);
  return gcm_->Seal(iv, {aad1, aad2}, data, tag);
}

bool PacketCipher::Open(uint32_t ssrc, uint64_t index, std::span<const uint8_t> aad1,
                        std::span<const uint8_t> aad2, std::span<uint8_t> data, std::span<const uint8_t> tag) {
  auto iv = GcmIv(ssrc, index);
  return gcm_->Open(iv, {aad1, aad2}, data, tag);
}

std::optional<CipherPair> CreateCipherPair(Profile profile, const DerivedKeys& keys) {
  if (!ProfileFromId(static_cast<uint16_t>(profile))) return std::nullopt;
  const ProfileParams& params = GetProfileParams(profile);
  CipherPair pair{PacketCipher::Create(params, keys.srtp, params.rtp_tag_size),
                  PacketCipher::Create(params, keys.srtcp, params.rtcp_tag_size)};
  if (!pair.rtp || !pair.rtcp) return std::nullopt;
  return pair;
}

}  // namespace aegis::srtp
