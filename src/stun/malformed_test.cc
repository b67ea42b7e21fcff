// Every malformed input is rejected, each with its own ParseError.
#include <gtest/gtest.h>

#include <vector>

#include "stun/integrity.h"
#include "stun/is_stun_message.h"
#include "stun/message.h"
#include "stun/test_util.h"

namespace aegis::stun {
namespace {

using testing::Hex;
using testing::RawMessage;
using testing::Rfc5769Bytes;
using testing::Tlv;

constexpr uint16_t kBindingRequest = 0x0001;

void ExpectError(const std::vector<uint8_t>& msg, ParseError want) {
  const auto m = Message::Parse(msg);
  ASSERT_FALSE(m.ok()) << "accepted, wanted " << ToString(want);
  EXPECT_EQ(m.error(), want) << "got " << ToString(m.error()) << ", wanted " << ToString(want);
}

TEST(Malformed, TruncatedHeader) {
  const auto good = Rfc5769Bytes("2.1_sample_request");
  for (size_t n = 0; n < kHeaderSize; ++n) {
    SCOPED_TRACE(n);
    const std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<ptrdiff_t>(n));
    ExpectError(cut, ParseError::kTruncatedHeader);
    EXPECT_FALSE(IsStunMessage(cut));
  }
}

TEST(Malformed, LeadingBitsNotZero) {
  for (uint8_t top : std::vector<uint8_t>{0x40, 0x80, 0xC0}) {
    auto msg = RawMessage(kBindingRequest, {});
    msg[0] |= top;
    ExpectError(msg, ParseError::kBadLeadingBits);
    EXPECT_FALSE(IsStunMessage(msg));
  }
}

TEST(Malformed, BadMagicCookie) {
  auto msg = RawMessage(kBindingRequest, {});
  msg[7] ^= 0x01;
  ExpectError(msg, ParseError::kBadMagicCookie);
  EXPECT_FALSE(IsStunMessage(msg));
  // An RFC 3489 message (no cookie) is not accepted either.
  auto classic = RawMessage(kBindingRequest, {});
  classic[4] = classic[5] = classic[6] = classic[7] = 0;
  ExpectError(classic, ParseError::kBadMagicCookie);
}

TEST(Malformed, LengthNotMultipleOfFour) {
  auto msg = RawMessage(kBindingRequest, {}, /*length=*/2);
  msg.push_back(0);
  msg.push_back(0);
  ExpectError(msg, ParseError::kMisalignedLength);
  EXPECT_FALSE(IsStunMessage(msg));
}

TEST(Malformed, LengthDisagreesWithData) {
  // Says 8, carries 12.
  ExpectError(RawMessage(kBindingRequest, {Tlv(0x8000, {1, 2, 3, 4, 5, 6, 7, 8})}, 8),
              ParseError::kLengthMismatch);
  // Says 16, carries 12.
  const auto longer = RawMessage(kBindingRequest, {Tlv(0x8000, {1, 2, 3, 4, 5, 6, 7, 8})}, 16);
  ExpectError(longer, ParseError::kLengthMismatch);
  EXPECT_FALSE(IsStunMessage(longer));
  // A real sample missing its last word.
  auto cut = Rfc5769Bytes("2.1_sample_request");
  cut.resize(cut.size() - 4);
  ExpectError(cut, ParseError::kLengthMismatch);
  EXPECT_FALSE(IsStunMessage(cut));
}

TEST(Malformed, TooLarge) {
  // 1500 bytes is the limit (see constants.h): accepted.
  const auto at_limit = RawMessage(kBindingRequest, {Tlv(0x8000, std::vector<uint8_t>(1476))});
  ASSERT_EQ(at_limit.size(), kMaxMessageSize);
  EXPECT_TRUE(Message::Parse(at_limit).ok());
  const auto over = RawMessage(kBindingRequest, {Tlv(0x8000, std::vector<uint8_t>(1480))});
  ExpectError(over, ParseError::kTooLarge);
  EXPECT_FALSE(IsStunMessage(over));
}

TEST(Malformed, AttributeRunsPastEnd) {
  // Value length 100 in an 8-byte body.
  auto msg = RawMessage(kBindingRequest, {Tlv(0x8000, {1, 2, 3, 4})});
  StoreBE16(msg.data() + kHeaderSize + 2, 100);
  ExpectError(msg, ParseError::kAttributeOverrun);
  // Value fits but its padding does not: length 5 in an 8-byte body.
  auto pad = RawMessage(kBindingRequest, {Tlv(0x8000, {1, 2, 3, 4})});
  StoreBE16(pad.data() + kHeaderSize + 2, 5);
  ExpectError(pad, ParseError::kAttributeOverrun);
  // The framing check also guards verification.
  EXPECT_EQ(VerifyFingerprint(pad), IntegrityStatus::kMalformed);
  EXPECT_EQ(VerifyMessageIntegrity(pad, testing::Text("k")), IntegrityStatus::kMalformed);
}

TEST(Malformed, TooManyAttributes) {
  std::vector<uint8_t> msg = RawMessage(kBindingRequest, {});
  for (size_t i = 0; i < kMaxAttributes; ++i) {
    const auto t = Tlv(0x8000, {});
    msg.insert(msg.end(), t.begin(), t.end());
  }
  StoreBE16(msg.data() + 2, static_cast<uint16_t>(msg.size() - kHeaderSize));
  const auto ok = Message::Parse(msg);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->attributes.size(), kMaxAttributes);
  const auto t = Tlv(0x8000, {});
  msg.insert(msg.end(), t.begin(), t.end());
  StoreBE16(msg.data() + 2, static_cast<uint16_t>(msg.size() - kHeaderSize));
  ExpectError(msg, ParseError::kTooManyAttributes);
  EXPECT_EQ(VerifyFingerprint(msg), IntegrityStatus::kMalformed);
}

TEST(Malformed, MessageIntegrityWrongLength) {
  for (size_t n : {0u, 16u, 19u, 21u, 32u}) {
    SCOPED_TRACE(n);
    const auto msg = RawMessage(kBindingRequest, {Tlv(attr::kMessageIntegrity, std::vector<uint8_t>(n))});
    ExpectError(msg, ParseError::kBadIntegrityLength);
    EXPECT_EQ(VerifyMessageIntegrity(msg, testing::Text("k")), IntegrityStatus::kMalformed);
  }
  for (size_t n : {0u, 12u, 18u, 20u + 1u, 36u}) {
    SCOPED_TRACE(n);
    const auto msg =
        RawMessage(kBindingRequest, {Tlv(attr::kMessageIntegritySha256, std::vector<uint8_t>(n))});
    ExpectError(msg, ParseError::kBadIntegrityLength);
    EXPECT_EQ(VerifyMessageIntegritySha256(msg, testing::Text("k")), IntegrityStatus::kMalformed);
  }
}

TEST(Malformed, FingerprintWrongLength) {
  const auto msg = RawMessage(kBindingRequest, {Tlv(attr::kFingerprint, {1, 2, 3, 4, 5, 6, 7, 8})});
  ExpectError(msg, ParseError::kBadFingerprintLength);
  EXPECT_EQ(VerifyFingerprint(msg), IntegrityStatus::kMalformed);
}

TEST(Malformed, DataAfterFingerprint) {
  auto msg = Rfc5769Bytes("2.1_sample_request");
  ASSERT_TRUE(Message::Parse(msg).ok());
  const auto extra = Tlv(0x8000, {});  // even an ignorable attribute
  msg.insert(msg.end(), extra.begin(), extra.end());
  StoreBE16(msg.data() + 2, static_cast<uint16_t>(msg.size() - kHeaderSize));
  ExpectError(msg, ParseError::kDataAfterFingerprint);
  EXPECT_EQ(VerifyFingerprint(msg), IntegrityStatus::kMalformed);
  EXPECT_EQ(VerifyMessageIntegrity(msg, testing::Text("VOkJxbRl1RmTxUk/WvJxBt")),
            IntegrityStatus::kMalformed);
}

TEST(Malformed, XorMappedAddressBadFamily) {
  for (uint8_t family : std::vector<uint8_t>{0x00, 0x03, 0xFF}) {
    ExpectError(RawMessage(0x0101, {Tlv(attr::kXorMappedAddress, {0, family, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43})}),
                ParseError::kBadAddressFamily);
  }
  ExpectError(RawMessage(0x0101, {Tlv(attr::kMappedAddress, {0, 0x03, 0, 1, 1, 2, 3, 4})}),
              ParseError::kBadAddressFamily);
}

TEST(Malformed, XorMappedAddressBadLength) {
  // IPv4 family with an IPv6-sized address, and the reverse.
  ExpectError(RawMessage(0x0101, {Tlv(attr::kXorMappedAddress, std::vector<uint8_t>{0, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})}),
              ParseError::kBadAddressLength);
  ExpectError(RawMessage(0x0101, {Tlv(attr::kXorMappedAddress, {0, 2, 0, 0, 1, 2, 3, 4})}),
              ParseError::kBadAddressLength);
  // Shorter than family + port, and one byte short of an IPv4 address.
  ExpectError(RawMessage(0x0101, {Tlv(attr::kXorMappedAddress, {0, 1})}), ParseError::kBadAddressLength);
  ExpectError(RawMessage(0x0101, {Tlv(attr::kXorMappedAddress, {0, 1, 0, 0, 1, 2, 3})}),
              ParseError::kBadAddressLength);
  ExpectError(RawMessage(0x0101, {Tlv(attr::kXorMappedAddress, {})}), ParseError::kBadAddressLength);
}

TEST(Malformed, FixedSizeIceAttributesWrongLength) {
  ExpectError(RawMessage(kBindingRequest, {Tlv(attr::kPriority, {1, 2, 3})}), ParseError::kBadAttributeLength);
  ExpectError(RawMessage(kBindingRequest, {Tlv(attr::kPriority, {1, 2, 3, 4, 5, 6, 7, 8})}),
              ParseError::kBadAttributeLength);
  ExpectError(RawMessage(kBindingRequest, {Tlv(attr::kUseCandidate, {0, 0, 0, 0})}),
              ParseError::kBadAttributeLength);
  ExpectError(RawMessage(kBindingRequest, {Tlv(attr::kIceControlling, {1, 2, 3, 4})}),
              ParseError::kBadAttributeLength);
  ExpectError(RawMessage(kBindingRequest, {Tlv(attr::kIceControlled, std::vector<uint8_t>(12))}),
              ParseError::kBadAttributeLength);
}

TEST(Malformed, TextTooLong) {
  const std::vector<uint8_t> ok_text(kMaxTextLength, 'a');
  const std::vector<uint8_t> long_text(kMaxTextLength + 1, 'a');
  for (uint16_t type : {attr::kUsername, attr::kRealm, attr::kNonce, attr::kSoftware}) {
    SCOPED_TRACE(type);
    EXPECT_TRUE(Message::Parse(RawMessage(kBindingRequest, {Tlv(type, ok_text)})).ok());
    ExpectError(RawMessage(kBindingRequest, {Tlv(type, long_text)}), ParseError::kTextTooLong);
  }
  std::vector<uint8_t> reason = {0, 0, 4, 20};
  reason.insert(reason.end(), long_text.begin(), long_text.end());
  ExpectError(RawMessage(0x0111, {Tlv(attr::kErrorCode, reason)}), ParseError::kTextTooLong);
}

TEST(Malformed, ErrorCodeOutOfRange) {
  ExpectError(RawMessage(0x0111, {Tlv(attr::kErrorCode, {0, 0, 2, 0})}), ParseError::kBadErrorCode);  // 200
  ExpectError(RawMessage(0x0111, {Tlv(attr::kErrorCode, {0, 0, 7, 0})}), ParseError::kBadErrorCode);  // 700
  ExpectError(RawMessage(0x0111, {Tlv(attr::kErrorCode, {0, 0, 4, 100})}), ParseError::kBadErrorCode);
  ExpectError(RawMessage(0x0111, {Tlv(attr::kErrorCode, {0, 0, 4})}), ParseError::kBadAttributeLength);
}

TEST(Malformed, UnknownAttributesOddLength) {
  ExpectError(RawMessage(0x0111, {Tlv(attr::kUnknownAttributes, {0x00, 0x1e, 0x00})}),
              ParseError::kBadAttributeLength);
}

TEST(Malformed, IsStunMessageAcceptsOnlyWellFramedHeaders) {
  for (const char* name : {"2.1_sample_request", "2.2_sample_ipv4_response",
                           "2.3_sample_ipv6_response", "2.4_sample_request_long_term_auth"}) {
    EXPECT_TRUE(IsStunMessage(Rfc5769Bytes(name))) << name;
  }
  EXPECT_TRUE(IsStunMessage(RawMessage(kBindingRequest, {})));
  // An RTP packet (version 2: leading bits 10) and a DTLS record (first byte
  // 22: leading bits 00, but no cookie) are not STUN.
  EXPECT_FALSE(IsStunMessage(Hex("80000001000000000000000000000000deadbeef")));
  EXPECT_FALSE(IsStunMessage(Hex("16fefd0000000000000000000000000000000000")));
}

}  // namespace
}  // namespace aegis::stun
