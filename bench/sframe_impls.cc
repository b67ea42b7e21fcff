#include "bench/sframe_impls.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "base/big_endian.h"
#include "sframe/sframe_receiver.h"
#include "sframe/sframe_sender.h"

namespace aegis::bench {
namespace {

constexpr uint64_t kKid = 0x0102;  // two KID bytes, as a real KID layout would use
constexpr size_t kTag = 16;

std::vector<uint8_t> Plaintext(size_t size) {
  std::vector<uint8_t> p(size);
  for (size_t i = 0; i < size; ++i) p[i] = static_cast<uint8_t>(i * 31);
  return p;
}

size_t RingSize(size_t frame_size) { return std::max<size_t>(16, kSframeRingBytes / frame_size); }

class AegisImpl final : public SframeImpl {
 public:
  explicit AegisImpl(size_t frame_size)
      : size_(frame_size),
        sender_(std::move(sframe::SframeSender::Create()).value()),
        receiver_(std::move(sframe::SframeReceiver::Create()).value()) {
    ok_ = sender_.AddKey(kKid, kBaseKey).ok() && receiver_.AddKey(kKid, kBaseKey).ok();
    send_ = Plaintext(size_);
    send_.resize(size_ + sender_.MaxOverhead());
    for (size_t i = 0; ok_ && i < RingSize(size_); ++i) {
      std::vector<uint8_t> frame = Plaintext(size_);
      frame.resize(size_ + sender_.MaxOverhead());
      auto len = sender_.Encrypt(kKid, {}, frame, size_);
      ok_ = len.ok();
      frame.resize(ok_ ? *len : 0);
      ring_.push_back(std::move(frame));
    }
    work_.resize(size_ + sender_.MaxOverhead());
  }
  bool Encrypt() override { return ok_ && sender_.Encrypt(kKid, {}, send_, size_).ok(); }
  bool Decrypt(size_t i) override {
    const auto& frame = ring_[i];
    std::memcpy(work_.data(), frame.data(), frame.size());
    return receiver_.Decrypt({}, std::span(work_).first(frame.size())).ok();
  }
  bool ResetReceiver() override { return receiver_.RemoveKey(kKid) && receiver_.AddKey(kKid, kBaseKey).ok(); }
  size_t ring_size() const override { return ring_.size(); }

 private:
  static constexpr uint8_t kBaseKey[16] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
                                           0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
  size_t size_;
  bool ok_ = false;
  sframe::SframeSender sender_;
  sframe::SframeReceiver receiver_;
  std::vector<uint8_t> send_, work_;
  std::vector<std::vector<uint8_t>> ring_;
};

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

// One EVP seal/open per frame: 12-byte nonce (salt XOR counter), a 5-byte
// AAD standing in for the SFrame header, 16-byte tag after the data.
class OpenSslGcmImpl final : public SframeImpl {
 public:
  explicit OpenSslGcmImpl(size_t frame_size) : size_(frame_size) {
    const uint8_t key[16] = {0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
                             0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f};
    EVP_EncryptInit_ex(enc_.get(), EVP_aes_128_gcm(), nullptr, key, nullptr);
    EVP_DecryptInit_ex(dec_.get(), EVP_aes_128_gcm(), nullptr, key, nullptr);
    send_ = Plaintext(size_);
    send_.resize(size_ + kTag);
    for (size_t i = 0; i < RingSize(size_); ++i) {
      ring_.push_back(Plaintext(size_));
      ring_.back().resize(size_ + kTag);
      Seal(ring_.back().data(), i);
    }
    work_.resize(size_ + kTag);
  }
  bool Encrypt() override { return Seal(send_.data(), sent_++); }
  bool Decrypt(size_t i) override {
    std::memcpy(work_.data(), ring_[i].data(), size_ + kTag);
    uint8_t iv[12];
    MakeIv(i, iv);
    int len = 0;
    EVP_CIPHER_CTX* c = dec_.get();
    uint8_t* p = work_.data();
    EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, iv);
    EVP_DecryptUpdate(c, nullptr, &len, kAad, sizeof(kAad));
    EVP_DecryptUpdate(c, p, &len, p, static_cast<int>(size_));
    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, kTag, p + size_);
    return EVP_DecryptFinal_ex(c, p + size_, &len) == 1;
  }
  bool ResetReceiver() override { return true; }
  size_t ring_size() const override { return ring_.size(); }

 private:
  static constexpr uint8_t kAad[5] = {0x99, 0x01, 0x02, 0x45, 0x67};
  void MakeIv(uint64_t n, uint8_t (&iv)[12]) const {
    std::memcpy(iv, kSalt, sizeof(iv));
    uint8_t ctr[8];
    StoreBE64(ctr, n);
    for (size_t i = 0; i < 8; ++i) iv[4 + i] ^= ctr[i];
  }
  bool Seal(uint8_t* p, uint64_t n) {
    uint8_t iv[12];
    MakeIv(n, iv);
    int len = 0;
    EVP_CIPHER_CTX* c = enc_.get();
    EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, iv);
    EVP_EncryptUpdate(c, nullptr, &len, kAad, sizeof(kAad));
    EVP_EncryptUpdate(c, p, &len, p, static_cast<int>(size_));
    EVP_EncryptFinal_ex(c, p + size_, &len);
    return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, kTag, p + size_) == 1;
  }
  static constexpr uint8_t kSalt[12] = {0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb};
  size_t size_;
  Ctx enc_{EVP_CIPHER_CTX_new()}, dec_{EVP_CIPHER_CTX_new()};
  std::vector<uint8_t> send_, work_;
  std::vector<std::vector<uint8_t>> ring_;
  uint64_t sent_ = 0;
};

}  // namespace

std::unique_ptr<SframeImpl> MakeAegisSframeImpl(size_t frame_size) { return std::make_unique<AegisImpl>(frame_size); }
std::unique_ptr<SframeImpl> MakeOpenSslGcmImpl(size_t frame_size) {
  return std::make_unique<OpenSslGcmImpl>(frame_size);
}

}  // namespace aegis::bench
