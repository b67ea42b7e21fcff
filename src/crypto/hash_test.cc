#include "crypto/hash.h"

#include <gtest/gtest.h>

#include <string_view>

#include "base/hex.h"
#include "crypto/wycheproof.h"

namespace aegis::crypto {
namespace {

using testing::Bytes;

std::span<const uint8_t> Text(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

void RunWycheproofHmac(const char* file, HashAlgorithm alg) {
  auto doc = testing::LoadVectors(file);
  int checked = 0;
  for (const auto& group : doc["testGroups"]) {
    size_t tag_bytes = group["tagSize"].get<size_t>() / 8;
    for (const auto& t : group["tests"]) {
      SCOPED_TRACE(std::string(file) + " tcId " + std::to_string(t["tcId"].get<int>()));
      auto key = Bytes(t["key"]), msg = Bytes(t["msg"]), tag = Bytes(t["tag"]);
      auto mac = HmacOnce(alg, key, {msg});
      bool matches = ConstantTimeEquals(std::span(mac).first(tag_bytes), tag);
      EXPECT_EQ(matches, t["result"] == "valid");
      ++checked;
    }
  }
  EXPECT_GT(checked, 50);
}

TEST(Hmac, WycheproofSha1) { RunWycheproofHmac("wycheproof_hmac_sha1_test.json", HashAlgorithm::kSha1); }
TEST(Hmac, WycheproofSha256) { RunWycheproofHmac("wycheproof_hmac_sha256_test.json", HashAlgorithm::kSha256); }

TEST(Hmac, ReusedContextMatchesOneShot) {
  std::vector<uint8_t> key(20, 0x0b);
  auto hmac = Hmac::Create(HashAlgorithm::kSha1, key);
  ASSERT_NE(hmac, nullptr);
  uint8_t out[20];
  for (int i = 0; i < 3; ++i) {
    hmac->Compute({Text("Hi "), Text("There")}, out);
    // RFC 2202 test case 1.
    EXPECT_EQ(ToHex(out), "b617318655057264e28bc0b6fb378c8ef146be00");
  }
}

TEST(Digest, KnownValues) {
  EXPECT_EQ(ToHex(Digest(HashAlgorithm::kMd5, {Text("abc")})), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(ToHex(Digest(HashAlgorithm::kSha1, {Text("ab"), Text("c")})), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(ToHex(Digest(HashAlgorithm::kSha256, {Text("abc")})),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ConstantTimeEquals, ComparesContentAndLength) {
  std::vector<uint8_t> a = {1, 2, 3}, b = {1, 2, 3}, c = {1, 2, 4}, d = {1, 2};
  EXPECT_TRUE(ConstantTimeEquals(a, b));
  EXPECT_FALSE(ConstantTimeEquals(a, c));
  EXPECT_FALSE(ConstantTimeEquals(a, d));
}

}  // namespace
}  // namespace aegis::crypto
