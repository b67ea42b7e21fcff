#include "crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>

namespace aegis::crypto {
namespace {

struct KdfDeleter {
  void operator()(EVP_KDF* k) const { EVP_KDF_free(k); }
};
struct KdfCtxDeleter {
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};

const char* Name(HashAlgorithm alg) {
  switch (alg) {
    case HashAlgorithm::kMd5: return "MD5";
    case HashAlgorithm::kSha1: return "SHA1";
    case HashAlgorithm::kSha256: return "SHA256";
    case HashAlgorithm::kSha384: return "SHA384";
    case HashAlgorithm::kSha512: return "SHA512";
  }
  return "SHA256";
}

// Runs OpenSSL's HKDF in `mode` (extract only / expand only / both).
bool RunHkdf(HashAlgorithm alg, int mode, std::span<const uint8_t> salt, std::span<const uint8_t> key,
             std::span<const uint8_t> info, std::span<uint8_t> out) {
  std::unique_ptr<EVP_KDF, KdfDeleter> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) return false;
  std::unique_ptr<EVP_KDF_CTX, KdfCtxDeleter> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return false;
  static uint8_t kEmpty = 0;
  auto ptr = [](std::span<const uint8_t> s) { return s.empty() ? &kEmpty : const_cast<uint8_t*>(s.data()); };
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(Name(alg)), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ptr(key), key.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, ptr(salt), salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, ptr(info), info.size()),
      OSSL_PARAM_construct_end()};
  return EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) == 1;
}

}  // namespace

std::vector<uint8_t> HkdfExtract(HashAlgorithm alg, std::span<const uint8_t> salt, std::span<const uint8_t> ikm) {
  std::vector<uint8_t> prk(DigestSize(alg));
  if (!RunHkdf(alg, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, ikm, {}, prk)) abort();
  return prk;
}

std::optional<std::vector<uint8_t>> HkdfExpand(HashAlgorithm alg, std::span<const uint8_t> prk,
                                               std::span<const uint8_t> info, size_t length) {
  if (length == 0 || length > 255 * DigestSize(alg)) return std::nullopt;
  std::vector<uint8_t> okm(length);
  if (!RunHkdf(alg, EVP_KDF_HKDF_MODE_EXPAND_ONLY, {}, prk, info, okm)) return std::nullopt;
  return okm;
}

std::optional<std::vector<uint8_t>> Hkdf(HashAlgorithm alg, std::span<const uint8_t> salt,
                                         std::span<const uint8_t> ikm, std::span<const uint8_t> info,
                                         size_t length) {
  return HkdfExpand(alg, HkdfExtract(alg, salt, ikm), info, length);
}

}  // namespace aegis::crypto
