#include "crypto/hkdf.h"

#include <gtest/gtest.h>

#include "crypto/wycheproof.h"

namespace aegis::crypto {
namespace {

using testing::Bytes;

// Wycheproof HKDF-SHA256 (testdata/wycheproof_hkdf_sha256_test.json).
// "invalid" cases there ask for more than 255 * 32 bytes.
TEST(Hkdf, WycheproofSha256) {
  auto doc = testing::LoadVectors("wycheproof_hkdf_sha256_test.json");
  int valid = 0, invalid = 0;
  for (const auto& group : doc["testGroups"]) {
    for (const auto& t : group["tests"]) {
      SCOPED_TRACE("tcId " + std::to_string(t["tcId"].get<int>()));
      auto okm = Hkdf(HashAlgorithm::kSha256, Bytes(t["salt"]), Bytes(t["ikm"]), Bytes(t["info"]),
                      t["size"].get<size_t>());
      if (t["result"] == "valid") {
        ASSERT_TRUE(okm.has_value());
        EXPECT_EQ(*okm, Bytes(t["okm"]));
        ++valid;
      } else {
        EXPECT_FALSE(okm.has_value());
        ++invalid;
      }
    }
  }
  EXPECT_GT(valid, 50);
  EXPECT_GT(invalid, 0);
}

}  // namespace
}  // namespace aegis::crypto
