#include "sframe/cipher_suite.h"

#include <cstdlib>

namespace aegis::sframe {
namespace {

using crypto::HashAlgorithm;

constexpr CipherSuiteParams kParams[] = {
    {"AES_128_CTR_HMAC_SHA256_80", HashAlgorithm::kSha256, false, 16, 48, kNonceSize, 10},
    {"AES_128_CTR_HMAC_SHA256_64", HashAlgorithm::kSha256, false, 16, 48, kNonceSize, 8},
    {"AES_128_CTR_HMAC_SHA256_32", HashAlgorithm::kSha256, false, 16, 48, kNonceSize, 4},
    {"AES_128_GCM_SHA256_128", HashAlgorithm::kSha256, true, 16, 16, kNonceSize, 16},
    {"AES_256_GCM_SHA512_128", HashAlgorithm::kSha512, true, 32, 32, kNonceSize, 16},
};

}  // namespace

std::optional<CipherSuite> CipherSuiteFromId(uint16_t id) {
  if (id < 0x0001 || id > 0x0005) return std::nullopt;
  return static_cast<CipherSuite>(id);
}

const CipherSuiteParams& GetCipherSuiteParams(CipherSuite suite) {
  auto id = static_cast<uint16_t>(suite);
  // An out-of-range enum is a programming error: callers validate first.
  if (!CipherSuiteFromId(id)) abort();
  return kParams[id - 1];
}

}  // namespace aegis::sframe
