// Raw OpenSSL EVP primitives with no SRTP framing: the practical limit.
//  - AEAD_AES_128_GCM: one EVP seal/open of the 1200-byte payload with the
//    12-byte header as AAD and a fresh 12-byte IV per packet.
//  - AES_CM_128_HMAC_SHA1_80: AES-128-CTR over the 1200-byte payload (IV
//    re-armed per packet) + HMAC-SHA1 over 1216 bytes (header, payload and a
//    4-byte ROC), truncated to 10 bytes. The HMAC uses the fastest per-packet
//    form measured here: inner/outer SHA-1 states precomputed from the key
//    and copied per packet (the low-level SHA1_* API, deprecated in OpenSSL
//    3 but present; EVP_MAC re-initialisation per packet costs ~10% more).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstring>
#include <vector>

#include "base/big_endian.h"
#include "bench/srtp_impls.h"

namespace aegis::bench {
namespace {

constexpr size_t kGcmTag = 16, kHmacTag = 10;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

std::vector<uint8_t> Packet() {
  std::vector<uint8_t> p(kPacketSize + 64, 0);
  p[0] = 0x80;
  p[1] = 96;
  for (size_t i = kHeaderSize; i < kPacketSize; ++i) p[i] = static_cast<uint8_t>(i * 31);
  return p;
}

class OpenSslImpl : public SrtpImpl {
 public:
  bool ResetReceiver() override { return true; }  // no replay state

 protected:
  // IV for packet number n: a salt with n XORed into its low 8 bytes.
  template <size_t N>
  void MakeIv(uint64_t n, uint8_t (&iv)[N]) const {
    std::memcpy(iv, salt_, N);
    uint8_t ctr[8];
    StoreBE64(ctr, n);
    for (size_t i = 0; i < 8; ++i) iv[N - 8 + i] ^= ctr[i];
  }
  uint8_t salt_[16] = {0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
                       0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0x00, 0x00};
  uint8_t key_[16] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                      0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
  std::vector<uint8_t> send_ = Packet(), work_ = Packet();
  std::vector<std::vector<uint8_t>> ring_;
  uint64_t sent_ = 0;
};

class GcmImpl final : public OpenSslImpl {
 public:
  GcmImpl() {
    EVP_EncryptInit_ex(enc_.get(), EVP_aes_128_gcm(), nullptr, key_, nullptr);
    EVP_DecryptInit_ex(dec_.get(), EVP_aes_128_gcm(), nullptr, key_, nullptr);
    for (size_t i = 0; i < kRingSize; ++i) {
      ring_.push_back(Packet());
      Seal(ring_.back().data(), i);
    }
  }
  bool Protect() override { return Seal(send_.data(), sent_++); }
  bool Unprotect(size_t i) override {
    std::memcpy(work_.data(), ring_[i].data(), kPacketSize + kGcmTag);
    uint8_t iv[12];
    MakeIv(i, iv);
    int len = 0;
    EVP_CIPHER_CTX* c = dec_.get();
    uint8_t* p = work_.data();
    EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, iv);
    EVP_DecryptUpdate(c, nullptr, &len, p, kHeaderSize);
    EVP_DecryptUpdate(c, p + kHeaderSize, &len, p + kHeaderSize, kPayloadSize);
    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, kGcmTag, p + kPacketSize);
    return EVP_DecryptFinal_ex(c, p + kPacketSize, &len) == 1;
  }

 private:
  bool Seal(uint8_t* p, uint64_t n) {
    uint8_t iv[12];
    MakeIv(n, iv);
    int len = 0;
    EVP_CIPHER_CTX* c = enc_.get();
    EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, iv);
    EVP_EncryptUpdate(c, nullptr, &len, p, kHeaderSize);
    EVP_EncryptUpdate(c, p + kHeaderSize, &len, p + kHeaderSize, kPayloadSize);
    EVP_EncryptFinal_ex(c, p + kPacketSize, &len);
    return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, kGcmTag, p + kPacketSize) == 1;
  }
  Ctx enc_{EVP_CIPHER_CTX_new()}, dec_{EVP_CIPHER_CTX_new()};
};

class CmHmacImpl final : public OpenSslImpl {
 public:
  CmHmacImpl() {
    EVP_EncryptInit_ex(ctr_.get(), EVP_aes_128_ctr(), nullptr, key_, nullptr);
    uint8_t auth_key[20], pad[64];
    for (size_t i = 0; i < 20; ++i) auth_key[i] = static_cast<uint8_t>(0x40 + i);
    for (auto [state, byte] : {std::pair{&inner_, uint8_t{0x36}}, std::pair{&outer_, uint8_t{0x5c}}}) {
      std::memset(pad, byte, sizeof(pad));
      for (size_t i = 0; i < 20; ++i) pad[i] ^= auth_key[i];
      SHA1_Init(state);
      SHA1_Update(state, pad, sizeof(pad));
    }
    for (size_t i = 0; i < kRingSize; ++i) {
      ring_.push_back(Packet());
      Seal(ring_.back().data(), i);
    }
  }
  bool Protect() override { return Seal(send_.data(), sent_++); }
  bool Unprotect(size_t i) override {
    std::memcpy(work_.data(), ring_[i].data(), kPacketSize + kHmacTag);
    uint8_t tag[SHA_DIGEST_LENGTH];
    Mac(work_.data(), i, tag);
    if (CRYPTO_memcmp(tag, work_.data() + kPacketSize, kHmacTag) != 0) return false;
    Ctr(work_.data(), i);
    return true;
  }

 private:
  bool Seal(uint8_t* p, uint64_t n) {
    Ctr(p, n);
    uint8_t tag[SHA_DIGEST_LENGTH];
    Mac(p, n, tag);
    std::memcpy(p + kPacketSize, tag, kHmacTag);
    return true;
  }
  void Ctr(uint8_t* p, uint64_t n) {
    uint8_t iv[16];
    MakeIv(n << 16, iv);
    int len = 0;
    EVP_EncryptInit_ex(ctr_.get(), nullptr, nullptr, nullptr, iv);
    EVP_EncryptUpdate(ctr_.get(), p + kHeaderSize, &len, p + kHeaderSize, kPayloadSize);
  }
  void Mac(const uint8_t* p, uint64_t n, uint8_t* out) {
    uint8_t roc[4], inner_digest[SHA_DIGEST_LENGTH];
    StoreBE32(roc, static_cast<uint32_t>(n >> 16));
    SHA_CTX c = inner_;
    SHA1_Update(&c, p, kPacketSize);
    SHA1_Update(&c, roc, sizeof(roc));
    SHA1_Final(inner_digest, &c);
    c = outer_;
    SHA1_Update(&c, inner_digest, sizeof(inner_digest));
    SHA1_Final(out, &c);
  }
  Ctx ctr_{EVP_CIPHER_CTX_new()};
  SHA_CTX inner_{}, outer_{};
};

}  // namespace

std::unique_ptr<SrtpImpl> MakeOpenSslImpl(srtp::Profile profile) {
  switch (profile) {
    case srtp::Profile::kAeadAes128Gcm: return std::make_unique<GcmImpl>();
    case srtp::Profile::kAes128CmHmacSha1_80: return std::make_unique<CmHmacImpl>();
    default: return nullptr;
  }
}

}  // namespace aegis::bench
