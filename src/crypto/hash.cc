// SHA1_* (the low-level SHA-1 API) is deprecated in OpenSSL 3 but still
// shipped; Hmac uses it for its SHA-1 fast path (see Hmac::Ctx).
#define OPENSSL_SUPPRESS_DEPRECATED
#include "crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include <algorithm>
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

// HMAC-SHA1 is computed per SRTP packet and per STUN message. Through
// EVP_MAC, every Init() copies the keyed digest state, which in OpenSSL 3.0
// allocates a fresh provider context (twice per MAC, with Final()). For SHA-1
// the inner and outer states (key XOR ipad/opad, RFC 2104) are instead
// hashed once at Create() and copied per MAC as plain structs: no
// allocation, ~15% more SRTP AES-CM packets/s (docs/benchmarks.md). Other
// algorithms keep EVP_MAC.
struct Hmac::Ctx {
  std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> mac;  // null on the SHA-1 path
  SHA_CTX sha1_inner{}, sha1_outer{}, sha1_work{};
  ~Ctx() {
    OPENSSL_cleanse(&sha1_inner, sizeof(sha1_inner));
    OPENSSL_cleanse(&sha1_outer, sizeof(sha1_outer));
    OPENSSL_cleanse(&sha1_work, sizeof(sha1_work));
  }
};

namespace {

void InitSha1Hmac(std::span<const uint8_t> key, SHA_CTX& inner, SHA_CTX& outer) {
  uint8_t block[SHA_CBLOCK] = {};
  if (key.size() > SHA_CBLOCK) {
    SHA1(key.data(), key.size(), block);  // RFC 2104: long keys are hashed first
  } else if (!key.empty()) {
    std::copy(key.begin(), key.end(), block);
  }
  uint8_t pad[SHA_CBLOCK];
  for (size_t i = 0; i < SHA_CBLOCK; ++i) pad[i] = block[i] ^ 0x36;
  SHA1_Init(&inner);
  SHA1_Update(&inner, pad, sizeof(pad));
  for (size_t i = 0; i < SHA_CBLOCK; ++i) pad[i] = block[i] ^ 0x5c;
  SHA1_Init(&outer);
  SHA1_Update(&outer, pad, sizeof(pad));
  OPENSSL_cleanse(block, sizeof(block));
  OPENSSL_cleanse(pad, sizeof(pad));
}

}  // namespace

std::unique_ptr<Hmac> Hmac::Create(HashAlgorithm alg, std::span<const uint8_t> key) {
  if (alg == HashAlgorithm::kSha1) {
    auto ctx = std::make_unique<Ctx>();
    InitSha1Hmac(key, ctx->sha1_inner, ctx->sha1_outer);
    ctx->sha1_work = ctx->sha1_inner;
    return std::unique_ptr<Hmac>(new Hmac(std::move(ctx), DigestSize(alg)));
  }
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
  if (!ctx_->mac) {
    ctx_->sha1_work = ctx_->sha1_inner;
    return;
  }
  // A null key restarts the MAC with the key given at Create().
  EVP_MAC_init(ctx_->mac.get(), nullptr, 0, nullptr);
}

void Hmac::Update(std::span<const uint8_t> data) {
  if (!ctx_->mac) {
    SHA1_Update(&ctx_->sha1_work, data.data(), data.size());
    return;
  }
  EVP_MAC_update(ctx_->mac.get(), data.data(), data.size());
}

void Hmac::Final(std::span<uint8_t> out) {
  assert(out.size() >= size_);
  if (!ctx_->mac) {
    uint8_t digest[SHA_DIGEST_LENGTH];
    SHA1_Final(digest, &ctx_->sha1_work);
    ctx_->sha1_work = ctx_->sha1_outer;
    SHA1_Update(&ctx_->sha1_work, digest, sizeof(digest));
    SHA1_Final(digest, &ctx_->sha1_work);
    // Like EVP_MAC_final, never write past `out`.
    std::copy_n(digest, std::min(out.size(), sizeof(digest)), out.begin());
    OPENSSL_cleanse(digest, sizeof(digest));
    return;
  }
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
