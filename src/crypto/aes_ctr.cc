#include "crypto/aes_ctr.h"

#include <cassert>
#include <climits>

#include "crypto/evp_cipher_ctx.h"

namespace aegis::crypto {

struct AesCtr::Ctx {
  CipherCtxPtr cipher;
};

std::unique_ptr<AesCtr> AesCtr::Create(std::span<const uint8_t> key) {
  const EVP_CIPHER* cipher = nullptr;
  switch (key.size()) {
    case 16: cipher = EVP_aes_128_ctr(); break;
    case 24: cipher = EVP_aes_192_ctr(); break;
    case 32: cipher = EVP_aes_256_ctr(); break;
    default: return nullptr;
  }
  auto ctx = std::make_unique<Ctx>();
  ctx->cipher.reset(EVP_CIPHER_CTX_new());
  if (!ctx->cipher || EVP_EncryptInit_ex(ctx->cipher.get(), cipher, nullptr, key.data(), nullptr) != 1) {
    return nullptr;
  }
  return std::unique_ptr<AesCtr>(new AesCtr(std::move(ctx)));
}

AesCtr::AesCtr(std::unique_ptr<Ctx> ctx) : ctx_(std::move(ctx)) {}
AesCtr::~AesCtr() = default;

void AesCtr::Apply(std::span<const uint8_t, 16> iv, std::span<uint8_t> data) { Apply(iv, data, data); }

void AesCtr::Apply(std::span<const uint8_t, 16> iv, std::span<const uint8_t> in, std::span<uint8_t> out) {
  assert(in.size() == out.size() && in.size() <= INT_MAX);
  EVP_CIPHER_CTX* c = ctx_->cipher.get();
  // Re-arming only the IV keeps the expanded key: no allocation per packet.
  EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, iv.data());
  int len = 0;
  EVP_EncryptUpdate(c, out.data(), &len, in.data(), static_cast<int>(in.size()));
}

}  // namespace aegis::crypto
