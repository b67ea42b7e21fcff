#include "crypto/secure_memory.h"

#include <gtest/gtest.h>

namespace aegis::crypto {
namespace {

TEST(SecretBytes, HoldsCopiesAndWipes) {
  std::vector<uint8_t> key = {1, 2, 3, 4};
  SecretBytes secret(key);
  EXPECT_EQ(secret.size(), 4u);
  EXPECT_TRUE(std::equal(key.begin(), key.end(), secret.view().begin()));
  SecretBytes copy = secret;
  secret.Wipe();
  EXPECT_TRUE(secret.empty());
  EXPECT_EQ(copy.size(), 4u);
  // The bytes behind the old view are zero after a wipe.
  const uint8_t* raw = copy.view().data();
  copy.Wipe();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(raw[i], 0);
}

}  // namespace
}  // namespace aegis::crypto
