// MessageBuilder: what ICE sends, parsed and verified by our own reader,
// and every refusal leaves the bytes unchanged.
#include "stun/message_builder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/hex.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/test_util.h"

namespace aegis::stun {
namespace {

using testing::kTestId;
using testing::Text;

const MessageType kRequest{method::kBinding, MessageClass::kRequest};

TEST(MessageBuilder, IceCheckRoundTrip) {
  MessageBuilder b(kRequest, kTestId);
  ASSERT_TRUE(b.Add(Username{"RFRAG:LFRAG"}));
  ASSERT_TRUE(b.Add(Priority{1853817087}));
  ASSERT_TRUE(b.Add(IceControlling{0x1122334455667788}));
  ASSERT_TRUE(b.Add(UseCandidate{}));
  ASSERT_TRUE(b.AddMessageIntegrity(ShortTermKey("remote-password-22chars")));
  ASSERT_TRUE(b.AddFingerprint());
  const auto bytes = b.bytes();

  EXPECT_EQ(bytes.size(), 20u + 16 + 8 + 12 + 4 + 24 + 8);
  EXPECT_EQ(LoadBE16(bytes.data() + 2), bytes.size() - kHeaderSize);
  const auto m = Message::Parse(bytes);
  ASSERT_TRUE(m.ok()) << ToString(m.error());
  EXPECT_EQ(m->type, kRequest);
  EXPECT_EQ(m->transaction_id, kTestId);
  EXPECT_EQ(m->Get<Username>()->value, "RFRAG:LFRAG");
  EXPECT_EQ(m->Get<Priority>()->value, 1853817087u);
  EXPECT_EQ(m->Get<IceControlling>()->tie_breaker, 0x1122334455667788u);
  EXPECT_TRUE(m->Has<UseCandidate>());
  EXPECT_EQ(VerifyMessageIntegrity(bytes, ShortTermKey("remote-password-22chars")), IntegrityStatus::kOk);
  EXPECT_EQ(VerifyFingerprint(bytes), IntegrityStatus::kOk);
  // Re-serializing the parsed message gives the same bytes (zero padding,
  // integrity values verbatim).
  std::vector<uint8_t> again;
  m->SerializeTo(again);
  EXPECT_EQ(ToHex(again), ToHex(bytes));
}

TEST(MessageBuilder, ErrorResponseWithUnknownAttributes) {
  MessageBuilder b({method::kBinding, MessageClass::kErrorResponse}, kTestId);
  ASSERT_TRUE(b.Add(ErrorCode{420, "Unknown Attribute"}));
  ASSERT_TRUE(b.Add(UnknownAttributes{{0x001E, 0x7FFF, 0x0042}}));
  ASSERT_TRUE(b.Add(XorMappedAddress{TransportAddress::Ipv4({10, 0, 0, 1}, 5000)}));
  ASSERT_TRUE(b.AddMessageIntegrity(Text("pw")));
  const auto m = Message::Parse(b.bytes());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->type.cls, MessageClass::kErrorResponse);
  EXPECT_EQ(m->Get<ErrorCode>()->code, 420);
  EXPECT_EQ(m->Get<ErrorCode>()->reason, "Unknown Attribute");
  EXPECT_EQ(m->Get<UnknownAttributes>()->types, (std::vector<uint16_t>{0x001E, 0x7FFF, 0x0042}));
  EXPECT_EQ(m->Get<XorMappedAddress>()->address, TransportAddress::Ipv4({10, 0, 0, 1}, 5000));
}

TEST(MessageBuilder, RefusesWrongOrder) {
  MessageBuilder b(kRequest, kTestId);
  ASSERT_TRUE(b.Add(Username{"a"}));
  ASSERT_TRUE(b.AddMessageIntegrity(Text("pw")));
  auto snapshot = b.bytes();
  EXPECT_FALSE(b.Add(Software{"late"}));         // would be ignored by receivers
  EXPECT_FALSE(b.AddMessageIntegrity(Text("pw")));
  EXPECT_EQ(b.bytes(), snapshot);
  ASSERT_TRUE(b.AddMessageIntegritySha256(Text("pw")));
  snapshot = b.bytes();
  EXPECT_FALSE(b.AddMessageIntegrity(Text("pw")));  // MI after MI-SHA256
  EXPECT_FALSE(b.AddMessageIntegritySha256(Text("pw")));
  EXPECT_EQ(b.bytes(), snapshot);
  ASSERT_TRUE(b.AddFingerprint());
  snapshot = b.bytes();
  EXPECT_FALSE(b.AddFingerprint());
  EXPECT_FALSE(b.Add(RawAttribute{0x8000, {}}));
  EXPECT_FALSE(b.Add(Fingerprint{0}));  // verbatim values obey the order too
  EXPECT_EQ(b.bytes(), snapshot);
  EXPECT_TRUE(Message::Parse(b.bytes()).ok());
}

TEST(MessageBuilder, RefusesWhatTheParserWouldRefuse) {
  MessageBuilder b(kRequest, kTestId);
  const auto empty = b.bytes();
  EXPECT_FALSE(b.Add(Username{std::string(kMaxTextLength + 1, 'x')}));
  EXPECT_FALSE(b.Add(ErrorCode{700, ""}));
  EXPECT_FALSE(b.Add(ErrorCode{299, ""}));
  EXPECT_FALSE(b.Add(MessageIntegritySha256{std::vector<uint8_t>(12)}));
  TransportAddress bad_family;
  bad_family.family = static_cast<AddressFamily>(3);
  EXPECT_FALSE(b.Add(XorMappedAddress{bad_family}));
  EXPECT_FALSE(b.AddMessageIntegritySha256(Text("pw"), 18));
  EXPECT_FALSE(b.AddMessageIntegritySha256(Text("pw"), 36));
  EXPECT_EQ(b.bytes(), empty);
  EXPECT_TRUE(b.Add(Username{std::string(kMaxTextLength, 'x')}));
}

TEST(MessageBuilder, RespectsSizeAndCountLimits) {
  MessageBuilder full(kRequest, kTestId);
  // 20 + 4 + 1476 = kMaxMessageSize exactly; one more byte (plus padding) is over.
  EXPECT_FALSE(full.Add(RawAttribute{0x8000, std::vector<uint8_t>(1477)}));
  ASSERT_TRUE(full.Add(RawAttribute{0x8000, std::vector<uint8_t>(1476)}));
  EXPECT_EQ(full.bytes().size(), kMaxMessageSize);
  EXPECT_TRUE(Message::Parse(full.bytes()).ok());

  MessageBuilder big(kRequest, kTestId);
  ASSERT_TRUE(big.Add(RawAttribute{0x8000, std::vector<uint8_t>(1456)}));  // 1480 bytes
  EXPECT_FALSE(big.AddMessageIntegrity(Text("pw")));  // +24 = 1504: refused
  EXPECT_EQ(big.bytes().size(), 1480u);
  ASSERT_TRUE(big.AddFingerprint());  // +8 = 1488: fits
  EXPECT_EQ(big.bytes().size(), 1488u);
  EXPECT_TRUE(Message::Parse(big.bytes()).ok());
  EXPECT_EQ(VerifyFingerprint(big.bytes()), IntegrityStatus::kOk);

  MessageBuilder many(kRequest, kTestId);
  for (size_t i = 0; i < kMaxAttributes; ++i) ASSERT_TRUE(many.Add(RawAttribute{0x8000, {}}));
  const auto snapshot = many.bytes();
  EXPECT_FALSE(many.Add(RawAttribute{0x8000, {}}));
  EXPECT_FALSE(many.AddFingerprint());
  EXPECT_EQ(many.bytes(), snapshot);
  EXPECT_TRUE(Message::Parse(many.bytes()).ok());
}

}  // namespace
}  // namespace aegis::stun
