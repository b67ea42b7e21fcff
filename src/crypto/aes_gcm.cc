#include "crypto/aes_gcm.h"

#include <algorithm>
#include <climits>

#include "crypto/evp_cipher_ctx.h"

namespace aegis::crypto {

struct AesGcm::Ctx {
  CipherCtxPtr enc;
  CipherCtxPtr dec;
};

std::unique_ptr<AesGcm> AesGcm::Create(std::span<const uint8_t> key) {
  const EVP_CIPHER* cipher = nullptr;
  switch (key.size()) {
    case 16: cipher = EVP_aes_128_gcm(); break;
    case 32: cipher = EVP_aes_256_gcm(); break;
    default: return nullptr;
  }
  auto ctx = std::make_unique<Ctx>();
  ctx->enc.reset(EVP_CIPHER_CTX_new());
  ctx->dec.reset(EVP_CIPHER_CTX_new());
  if (!ctx->enc || !ctx->dec) return nullptr;
  // 12 bytes is OpenSSL's default GCM IV length, so no ctrl call is needed.
  if (EVP_EncryptInit_ex(ctx->enc.get(), cipher, nullptr, key.data(), nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx->dec.get(), cipher, nullptr, key.data(), nullptr) != 1) {
    return nullptr;
  }
  return std::unique_ptr<AesGcm>(new AesGcm(std::move(ctx)));
}

AesGcm::AesGcm(std::unique_ptr<Ctx> ctx) : ctx_(std::move(ctx)) {}
AesGcm::~AesGcm() = default;

bool AesGcm::Seal(std::span<const uint8_t, kIvSize> iv, std::initializer_list<ByteSpan> aad,
                  std::span<uint8_t> data, std::span<uint8_t> tag) {
  if (tag.size() < 4 || tag.size() > kMaxTagSize || data.size() > INT_MAX) return false;
  EVP_CIPHER_CTX* c = ctx_->enc.get();
  int len = 0;
  if (EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, iv.data()) != 1) return false;
  for (ByteSpan part : aad) {
    if (part.size() > INT_MAX) return false;
    if (!part.empty() && EVP_EncryptUpdate(c, nullptr, &len, part.data(), static_cast<int>(part.size())) != 1) {
      return false;
    }
  }
  if (!data.empty() && EVP_EncryptUpdate(c, data.data(), &len, data.data(), static_cast<int>(data.size())) != 1) {
    return false;
  }
  uint8_t full_tag[kMaxTagSize];
  if (EVP_EncryptFinal_ex(c, full_tag, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kMaxTagSize), full_tag) != 1) {
    return false;
  }
  std::copy_n(full_tag, tag.size(), tag.begin());
  return true;
}

bool AesGcm::Open(std::span<const uint8_t, kIvSize> iv, std::initializer_list<ByteSpan> aad,
                  std::span<uint8_t> data, std::span<const uint8_t> tag) {
  if (tag.size() < 4 || tag.size() > kMaxTagSize || data.size() > INT_MAX) return false;
  EVP_CIPHER_CTX* c = ctx_->dec.get();
  int len = 0;
  if (EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, iv.data()) != 1) return false;
  for (ByteSpan part : aad) {
    if (part.size() > INT_MAX) return false;
    if (!part.empty() && EVP_DecryptUpdate(c, nullptr, &len, part.data(), static_cast<int>(part.size())) != 1) {
      return false;
    }
  }
  if (!data.empty() && EVP_DecryptUpdate(c, data.data(), &len, data.data(), static_cast<int>(data.size())) != 1) {
    return false;
  }
  // OpenSSL compares the (possibly truncated) tag in constant time.
  if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag.size()), const_cast<uint8_t*>(tag.data())) !=
      1) {
    return false;
  }
  uint8_t no_output[kMaxTagSize];  // GCM writes nothing at Final; OpenSSL wants a buffer
  return EVP_DecryptFinal_ex(c, no_output, &len) == 1;
}

}  // namespace aegis::crypto
