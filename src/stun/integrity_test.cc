// MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT: our verifier against values
// computed independently here, keys, and failure cases.
#include "stun/integrity.h"

#include <gtest/gtest.h>

#include <vector>

#include "base/hex.h"
#include "crypto/hash.h"
#include "stun/message_builder.h"
#include "stun/test_util.h"

namespace aegis::stun {
namespace {

using crypto::HashAlgorithm;
using testing::Hex;
using testing::kTestId;
using testing::Text;

std::vector<uint8_t> BuildSigned(bool sha1, bool sha256, bool fingerprint, size_t sha256_size = 32) {
  MessageBuilder b({method::kBinding, MessageClass::kRequest}, kTestId);
  EXPECT_TRUE(b.Add(Username{"remote:local"}));
  EXPECT_TRUE(b.Add(Priority{0x6e7f1eff}));
  EXPECT_TRUE(b.Add(IceControlling{42}));
  if (sha1) {
    EXPECT_TRUE(b.AddMessageIntegrity(Text("secret-password")));
  }
  if (sha256) {
    EXPECT_TRUE(b.AddMessageIntegritySha256(Text("secret-password"), sha256_size));
  }
  if (fingerprint) {
    EXPECT_TRUE(b.AddFingerprint());
  }
  return b.bytes();
}

// The MAC as RFC 8489 §14.5 defines it, written out independently: HMAC over
// the header (length pointing at the end of the MI attribute) and the
// attributes before MI.
TEST(Integrity, MessageIntegrityIsHmacWithAdjustedLength) {
  const auto msg = BuildSigned(true, false, true);
  const size_t mi_at = msg.size() - 8 - 24;
  ASSERT_EQ(LoadBE16(msg.data() + mi_at), attr::kMessageIntegrity);
  std::vector<uint8_t> input(msg.begin(), msg.begin() + static_cast<ptrdiff_t>(mi_at));
  StoreBE16(input.data() + 2, static_cast<uint16_t>(mi_at + 24 - kHeaderSize));
  const auto mac = crypto::HmacOnce(HashAlgorithm::kSha1, Text("secret-password"), {input});
  EXPECT_EQ(ToHex(std::span(msg).subspan(mi_at + 4, 20)), ToHex(mac));
  // The header as sent carries the full length, FINGERPRINT included.
  EXPECT_EQ(LoadBE16(msg.data() + 2), msg.size() - kHeaderSize);
  EXPECT_EQ(VerifyMessageIntegrity(msg, Text("secret-password")), IntegrityStatus::kOk);
}

TEST(Integrity, FingerprintIsCrcXorStun) {
  const auto msg = BuildSigned(true, false, true);
  // zlib-style CRC-32 over everything before FINGERPRINT, header length as sent.
  uint32_t crc = 0xFFFFFFFF;
  for (size_t i = 0; i + 8 < msg.size(); ++i) {
    crc ^= msg[i];
    for (int k = 0; k < 8; ++k) crc = (crc & 1) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
  }
  crc ^= 0xFFFFFFFF;
  EXPECT_EQ(LoadBE32(msg.data() + msg.size() - 4), crc ^ 0x5354554eu);
  EXPECT_EQ(VerifyFingerprint(msg), IntegrityStatus::kOk);
}

TEST(Integrity, Sha256FullAndTruncated) {
  for (size_t size : {16u, 20u, 24u, 28u, 32u}) {
    SCOPED_TRACE(size);
    const auto msg = BuildSigned(false, true, true, size);
    const size_t at = msg.size() - 8 - 4 - size;
    ASSERT_EQ(LoadBE16(msg.data() + at), attr::kMessageIntegritySha256);
    std::vector<uint8_t> input(msg.begin(), msg.begin() + static_cast<ptrdiff_t>(at));
    StoreBE16(input.data() + 2, static_cast<uint16_t>(at + 4 + size - kHeaderSize));
    const auto mac = crypto::HmacOnce(HashAlgorithm::kSha256, Text("secret-password"), {input});
    EXPECT_EQ(ToHex(std::span(msg).subspan(at + 4, size)), ToHex(std::span(mac).first(size)));
    EXPECT_EQ(VerifyMessageIntegritySha256(msg, Text("secret-password")), IntegrityStatus::kOk);
    EXPECT_EQ(VerifyMessageIntegritySha256(msg, Text("secret-passwore")), IntegrityStatus::kMismatch);
    EXPECT_EQ(VerifyMessageIntegrity(msg, Text("secret-password")), IntegrityStatus::kAbsent);
    EXPECT_EQ(VerifyFingerprint(msg), IntegrityStatus::kOk);
  }
}

TEST(Integrity, BothMacsAndFingerprint) {
  const auto msg = BuildSigned(true, true, true);
  EXPECT_EQ(VerifyMessageIntegrity(msg, Text("secret-password")), IntegrityStatus::kOk);
  EXPECT_EQ(VerifyMessageIntegritySha256(msg, Text("secret-password")), IntegrityStatus::kOk);
  EXPECT_EQ(VerifyFingerprint(msg), IntegrityStatus::kOk);
}

TEST(Integrity, WrongOrEmptyKeyFails) {
  const auto msg = BuildSigned(true, false, false);
  EXPECT_EQ(VerifyMessageIntegrity(msg, Text("secret-password")), IntegrityStatus::kOk);
  EXPECT_EQ(VerifyMessageIntegrity(msg, Text("secret-passworD")), IntegrityStatus::kMismatch);
  EXPECT_EQ(VerifyMessageIntegrity(msg, Text("")), IntegrityStatus::kMismatch);
  // Even a message really signed with an empty key does not verify.
  MessageBuilder b({method::kBinding, MessageClass::kRequest}, kTestId);
  ASSERT_TRUE(b.AddMessageIntegrity({}));
  EXPECT_EQ(VerifyMessageIntegrity(b.bytes(), {}), IntegrityStatus::kMismatch);
}

TEST(Integrity, AbsentAttributes) {
  const auto msg = BuildSigned(false, false, false);
  EXPECT_EQ(VerifyMessageIntegrity(msg, Text("secret-password")), IntegrityStatus::kAbsent);
  EXPECT_EQ(VerifyMessageIntegritySha256(msg, Text("secret-password")), IntegrityStatus::kAbsent);
  EXPECT_EQ(VerifyFingerprint(msg), IntegrityStatus::kAbsent);
}

TEST(Integrity, NotAStunMessageIsMalformed) {
  const auto junk = Hex("80000001000000000000000000000000deadbeef");
  EXPECT_EQ(VerifyMessageIntegrity(junk, Text("k")), IntegrityStatus::kMalformed);
  EXPECT_EQ(VerifyFingerprint(junk), IntegrityStatus::kMalformed);
  EXPECT_EQ(VerifyFingerprint({}), IntegrityStatus::kMalformed);
}

TEST(Integrity, PaddingIsCoveredByTheMac) {
  // USERNAME "remote:local" is 12 bytes: no padding. Use a 5-byte one.
  MessageBuilder b({method::kBinding, MessageClass::kRequest}, kTestId);
  ASSERT_TRUE(b.Add(Username{"abcde"}));
  ASSERT_TRUE(b.AddMessageIntegrity(Text("pw")));
  ASSERT_TRUE(b.AddFingerprint());
  auto msg = b.bytes();
  ASSERT_EQ(msg[kHeaderSize + 4 + 5], 0);
  msg[kHeaderSize + 4 + 5] = 0x20;  // still parses the same...
  EXPECT_EQ(VerifyMessageIntegrity(msg, Text("pw")), IntegrityStatus::kMismatch);  // ...but MAC fails
  EXPECT_EQ(VerifyFingerprint(msg), IntegrityStatus::kMismatch);
}

TEST(Integrity, LongTermKey) {
  // RFC 5769 §2.4 key (also checked against the vector file in rfc5769_test).
  const auto md5 = LongTermKey("user", "realm", "pass");
  EXPECT_EQ(md5.size(), 16u);
  EXPECT_EQ(ToHex(md5.view()), ToHex(crypto::Digest(HashAlgorithm::kMd5, {Text("user:realm:pass")})));
  const auto sha = LongTermKey("user", "realm", "pass", HashAlgorithm::kSha256);
  EXPECT_EQ(sha.size(), 32u);
  EXPECT_EQ(ToHex(sha.view()), ToHex(crypto::Digest(HashAlgorithm::kSha256, {Text("user:realm:pass")})));
  // Known answer: MD5("user:realm:pass").
  EXPECT_EQ(ToHex(md5.view()), "8493fbc53ba582fb4c044c456bdc40eb");
}

}  // namespace
}  // namespace aegis::stun
