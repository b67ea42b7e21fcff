#include "crypto/aes_gcm.h"

#include <gtest/gtest.h>

#include "base/hex.h"
#include "crypto/wycheproof.h"

namespace aegis::crypto {
namespace {

using testing::Bytes;

// Wycheproof AES-GCM (testdata/wycheproof_aes_gcm_test.json, C2SP/wycheproof
// dac1dd4), restricted to what SRTP and SFrame use: 96-bit IV, 128-bit tag,
// 128/256-bit keys.
TEST(AesGcm, WycheproofVectors) {
  auto doc = testing::LoadVectors("wycheproof_aes_gcm_test.json");
  int checked = 0, rejected = 0;
  for (const auto& group : doc["testGroups"]) {
    if (group["ivSize"] != 96 || group["tagSize"] != 128) continue;
    if (group["keySize"] != 128 && group["keySize"] != 256) continue;
    for (const auto& t : group["tests"]) {
      SCOPED_TRACE("tcId " + std::to_string(t["tcId"].get<int>()));
      auto key = Bytes(t["key"]), iv = Bytes(t["iv"]), aad = Bytes(t["aad"]);
      auto msg = Bytes(t["msg"]), ct = Bytes(t["ct"]), tag = Bytes(t["tag"]);
      auto gcm = AesGcm::Create(key);
      ASSERT_NE(gcm, nullptr);
      std::span<const uint8_t, 12> iv12(iv.data(), 12);
      bool valid = t["result"] == "valid";

      std::vector<uint8_t> opened = ct;
      bool ok = gcm->Open(iv12, {aad}, opened, tag);
      EXPECT_EQ(ok, valid);
      if (valid) {
        EXPECT_EQ(opened, msg);
        std::vector<uint8_t> sealed = msg;
        uint8_t out_tag[16];
        ASSERT_TRUE(gcm->Seal(iv12, {aad}, sealed, out_tag));
        EXPECT_EQ(sealed, ct);
        EXPECT_EQ(ToHex(out_tag), ToHex(tag));
      } else {
        ++rejected;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
  EXPECT_GT(rejected, 10);
}

TEST(AesGcm, SplitAadEqualsConcatenatedAad) {
  std::vector<uint8_t> key(16, 7), iv(12, 1), a = {1, 2, 3}, b = {4, 5}, ab = {1, 2, 3, 4, 5};
  auto gcm = AesGcm::Create(key);
  std::vector<uint8_t> d1(33, 9), d2(33, 9);
  uint8_t t1[16], t2[16];
  std::span<const uint8_t, 12> iv12(iv.data(), 12);
  ASSERT_TRUE(gcm->Seal(iv12, {a, b}, d1, t1));
  ASSERT_TRUE(gcm->Seal(iv12, {ab}, d2, t2));
  EXPECT_EQ(d1, d2);
  EXPECT_EQ(ToHex(t1), ToHex(t2));
  EXPECT_TRUE(gcm->Open(iv12, {a, b}, d1, t1));
  EXPECT_EQ(d1, std::vector<uint8_t>(33, 9));
}

TEST(AesGcm, RejectsTamperingAndBadKeys) {
  std::vector<uint8_t> key(32, 3), iv(12, 2), aad = {1};
  auto gcm = AesGcm::Create(key);
  std::span<const uint8_t, 12> iv12(iv.data(), 12);
  std::vector<uint8_t> data(20, 5);
  uint8_t tag[16];
  ASSERT_TRUE(gcm->Seal(iv12, {aad}, data, tag));
  std::vector<uint8_t> flipped = data;
  flipped[3] ^= 1;
  EXPECT_FALSE(gcm->Open(iv12, {aad}, flipped, tag));
  std::vector<uint8_t> other_aad = {2};
  std::vector<uint8_t> copy = data;
  EXPECT_FALSE(gcm->Open(iv12, {other_aad}, copy, tag));
  // The context keeps working after a failure.
  EXPECT_TRUE(gcm->Open(iv12, {aad}, data, tag));

  EXPECT_EQ(AesGcm::Create(std::vector<uint8_t>(24)), nullptr);
  EXPECT_EQ(AesGcm::Create(std::vector<uint8_t>(15)), nullptr);
}

}  // namespace
}  // namespace aegis::crypto
