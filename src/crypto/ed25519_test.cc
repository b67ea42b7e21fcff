#include "crypto/ed25519.h"

#include <gtest/gtest.h>

#include "base/hex.h"

namespace aegis::crypto {
namespace {

std::vector<uint8_t> Hex(std::string_view text) { return FromHex(text).value(); }

// RFC 8032 §7.1, TEST 1 (empty message).
constexpr std::string_view kSeed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr std::string_view kPublic = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr std::string_view kSignature =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

TEST(Ed25519Test, Rfc8032Test1) {
  const auto seed = Hex(kSeed);
  auto key = Ed25519PrivateKey::FromSeed(std::span<const uint8_t, 32>(seed.data(), 32));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(ToHex(key->public_key()), kPublic);
  const auto signature = key->Sign({});
  EXPECT_EQ(ToHex(signature), kSignature);
  EXPECT_TRUE(Ed25519Verify(key->public_key(), {}, signature));
}

TEST(Ed25519Test, VerifyRefusesAnyChange) {
  SeededRandom rng(5);
  const auto key = Ed25519PrivateKey::Generate(rng);
  const std::vector<uint8_t> message = {1, 2, 3, 4};
  auto signature = key.Sign(message);
  EXPECT_TRUE(Ed25519Verify(key.public_key(), message, signature));
  EXPECT_FALSE(Ed25519Verify(key.public_key(), std::vector<uint8_t>{1, 2, 3, 5}, signature));
  auto other_key = key.public_key();
  other_key[0] ^= 1;
  EXPECT_FALSE(Ed25519Verify(other_key, message, signature));
  signature[63] ^= 0x80;
  EXPECT_FALSE(Ed25519Verify(key.public_key(), message, signature));
  // Wrong sizes are refused, never read past.
  EXPECT_FALSE(Ed25519Verify(std::span(key.public_key()).first(31), message, key.Sign(message)));
  const auto fresh = key.Sign(message);
  EXPECT_FALSE(Ed25519Verify(key.public_key(), message, std::span(fresh).first(63)));
}

TEST(Ed25519Test, GenerationUsesOnlyTheInjectedRandomness) {
  SeededRandom a(9), b(9), c(10);
  EXPECT_EQ(Ed25519PrivateKey::Generate(a).public_key(), Ed25519PrivateKey::Generate(b).public_key());
  SeededRandom d(9);
  EXPECT_NE(Ed25519PrivateKey::Generate(c).public_key(), Ed25519PrivateKey::Generate(d).public_key());
}

}  // namespace
}  // namespace aegis::crypto
