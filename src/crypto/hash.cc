#include "crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cassert>

namespace aegis::crypto {
namespace {

const char* DigestName(HashAlgorithm alg) {
  switch (alg) {
    case HashAlgorithm::kMd5: return "MD5";
    case HashAlgorithm::kSha1: return "SHA1";
    case HashAlgorithm::kSha256: return "SHA256";
    case HashAlgorithm::kSha384: return "SHA384";
    case HashAlgorithm::kSha512: return "SHA512";
  }
  return "SHA256";
}

const EVP_MD* DigestMd(HashAlgorithm alg) {
  switch (alg) {
    case HashAlgorithm::kMd5: return EVP_md5();
    case HashAlgorithm::kSha1: return EVP_sha1();
    case HashAlgorithm::kSha256: return EVP_sha256();
    case HashAlgorithm::kSha384: return EVP_sha384();
    case HashAlgorithm::kSha512: return EVP_sha512();
  }
  return EVP_sha256();
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct MacDeleter {
  void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
};
struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

}  // namespace

size_t DigestSize(HashAlgorithm alg) {
  switch (alg) {
    case HashAlgorithm::kMd5: return 16;
    case HashAlgorithm::kSha1: return 20;
    case HashAlgorithm::kSha256: return 32;
    case HashAlgorithm::kSha384: return 48;
    case HashAlgorithm::kSha512: return 64;
  }
  return 0;
}

std::vector<uint8_t> Digest(HashAlgorithm alg, std::initializer_list<std::span<const uint8_t>> parts) {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  std::vector<uint8_t> out(DigestSize(alg));
  unsigned int len = 0;
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), DigestMd(alg), nullptr) == 1;
  for (auto part : parts) ok = ok && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1;
  // Digest failure means a broken OpenSSL installation; never return a
  // plausible-looking value in that case.
  if (!ok || len != out.size()) abort();
  return out;
}

struct Hmac::Ctx {
  std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> mac;
};

std::unique_ptr<Hmac> Hmac::Create(HashAlgorithm alg, std::span<const uint8_t> key) {
  std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) return nullptr;
  auto ctx = std::make_unique<Ctx>();
  ctx->mac.reset(EVP_MAC_CTX_new(mac.get()));
  if (!ctx->mac) return nullptr;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(DigestName(alg)), 0),
      OSSL_PARAM_construct_end()};
  // HMAC accepts an empty key, but OpenSSL wants a non-null pointer for it.
  static const uint8_t kEmpty = 0;
  const uint8_t* key_ptr = key.empty() ? &kEmpty : key.data();
  if (EVP_MAC_init(ctx->mac.get(), key_ptr, key.size(), params) != 1) return nullptr;
  return std::unique_ptr<Hmac>(new Hmac(std::move(ctx), DigestSize(alg)));
}

Hmac::Hmac(std::unique_ptr<Ctx> ctx, size_t size) : ctx_(std::move(ctx)), size_(size) {}
Hmac::~Hmac() = default;

void Hmac::Init() {
  // A null key restarts the MAC with the key given at Create().
  EVP_MAC_init(ctx_->mac.get(), nullptr, 0, nullptr);
}

void Hmac::Update(std::span<const uint8_t> data) { EVP_MAC_update(ctx_->mac.get(), data.data(), data.size()); }

void Hmac::Final(std::span<uint8_t> out) {
  assert(out.size() >= size_);
  size_t len = 0;
  EVP_MAC_final(ctx_->mac.get(), out.data(), &len, out.size());
}

void Hmac::Compute(std::initializer_list<std::span<const uint8_t>> parts, std::span<uint8_t> out) {
  Init();
  for (auto part : parts) Update(part);
  Final(out);
}

std::vector<uint8_t> HmacOnce(HashAlgorithm alg, std::span<const uint8_t> key,
                              std::initializer_list<std::span<const uint8_t>> parts) {
  auto hmac = Hmac::Create(alg, key);
  if (!hmac) abort();
  std::vector<uint8_t> out(hmac->size());
  hmac->Init();
  for (auto part : parts) hmac->Update(part);
  hmac->Final(out);
  return out;
}

bool ConstantTimeEquals(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  // Lengths are public (protocol-defined); only contents need constant time.
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace aegis::crypto
