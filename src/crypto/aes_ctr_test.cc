#include "crypto/aes_ctr.h"

#include <gtest/gtest.h>

#include "base/hex.h"

namespace aegis::crypto {
namespace {

// NIST SP 800-38A F.5.1 (CTR-AES128.Encrypt), first two blocks.
TEST(AesCtr, Sp80038aVector) {
  auto key = *FromHex("2b7e151628aed2a6abf7158809cf4f3c");
  auto iv = *FromHex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  auto data = *FromHex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
  auto ctr = AesCtr::Create(key);
  ASSERT_NE(ctr, nullptr);
  ctr->Apply(std::span<const uint8_t, 16>(iv.data(), 16), data);
  EXPECT_EQ(ToHex(data), "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff");
}

TEST(AesCtr, IvResetsPerCall) {
  std::vector<uint8_t> key(16, 1), iv(16, 0);
  auto ctr = AesCtr::Create(key);
  std::vector<uint8_t> a(7, 0), b(7, 0);
  ctr->Apply(std::span<const uint8_t, 16>(iv.data(), 16), a);
  ctr->Apply(std::span<const uint8_t, 16>(iv.data(), 16), b);
  EXPECT_EQ(a, b);  // same IV, same keystream: no state carried across calls
  ctr->Apply(std::span<const uint8_t, 16>(iv.data(), 16), a);
  EXPECT_EQ(a, std::vector<uint8_t>(7, 0));
  EXPECT_EQ(AesCtr::Create(std::vector<uint8_t>(17)), nullptr);
}

}  // namespace
}  // namespace aegis::crypto
