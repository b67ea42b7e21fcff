// Message model: type encoding, attribute order rules, unknown attributes.
#include <gtest/gtest.h>

#include <vector>

#include "base/hex.h"
#include "stun/integrity.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/test_util.h"

namespace aegis::stun {
namespace {

using testing::Hex;
using testing::kTestId;
using testing::RawMessage;
using testing::Text;
using testing::Tlv;

TEST(MessageType, KnownEncodings) {
  // RFC 8489 §5 and §18.2: Binding request 0x0001, indication 0x0011,
  // success 0x0101, error 0x0111.
  EXPECT_EQ((MessageType{method::kBinding, MessageClass::kRequest}).Encode(), 0x0001);
  EXPECT_EQ((MessageType{method::kBinding, MessageClass::kIndication}).Encode(), 0x0011);
  EXPECT_EQ((MessageType{method::kBinding, MessageClass::kSuccessResponse}).Encode(), 0x0101);
  EXPECT_EQ((MessageType{method::kBinding, MessageClass::kErrorResponse}).Encode(), 0x0111);
  // TURN Allocate (0x003) request and success (RFC 8656): 0x0003, 0x0103.
  EXPECT_EQ((MessageType{0x003, MessageClass::kRequest}).Encode(), 0x0003);
  EXPECT_EQ((MessageType{0x003, MessageClass::kSuccessResponse}).Encode(), 0x0103);
  EXPECT_EQ((MessageType{0xFFF, MessageClass::kErrorResponse}).Encode(), 0x3FFF);
  EXPECT_EQ((MessageType{0xFFF, MessageClass::kRequest}).Encode(), 0x3EEF);
}

TEST(MessageType, EveryValueRoundTrips) {
  for (unsigned v = 0; v < 0x4000; ++v) {
    const auto t = MessageType::Decode(static_cast<uint16_t>(v));
    ASSERT_LE(t.method, 0xFFF);
    ASSERT_EQ(t.Encode(), v);
  }
}

TEST(Message, EmptyBindingRequest) {
  const auto raw = RawMessage(0x0001, {});
  const auto m = Message::Parse(raw);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->type, (MessageType{method::kBinding, MessageClass::kRequest}));
  EXPECT_EQ(m->transaction_id, kTestId);
  EXPECT_TRUE(m->attributes.empty());
  std::vector<uint8_t> out;
  m->SerializeTo(out);
  EXPECT_EQ(out, raw);
}

TEST(Message, SerializeAppendsToExistingBuffer) {
  const auto raw = RawMessage(0x0001, {Tlv(attr::kUsername, {'a', 'b', 'c'})});
  const auto m = Message::Parse(raw);
  ASSERT_TRUE(m.ok());
  std::vector<uint8_t> out = {0xAA, 0xBB, 0xCC};  // not 4-aligned on purpose
  m->SerializeTo(out);
  ASSERT_EQ(out.size(), 3 + raw.size());
  EXPECT_EQ(std::vector<uint8_t>(out.begin() + 3, out.end()), raw);
}

TEST(Message, UnknownAttributesKeptAndRequiredOnesReported) {
  const auto raw = RawMessage(0x0001, {Tlv(0x001E, std::vector<uint8_t>(32, 7)),  // USERHASH
                                       Tlv(0xC057, {1, 2}),                       // optional
                                       Tlv(attr::kUsername, {'u'}),
                                       Tlv(0x7FFF, {})});
  const auto m = Message::Parse(raw);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->attributes.size(), 4u);
  EXPECT_EQ(m->UnknownComprehensionRequired(), (std::vector<uint16_t>{0x001E, 0x7FFF}));
  const auto* raw_optional = std::get_if<RawAttribute>(&m->attributes[1]);
  ASSERT_NE(raw_optional, nullptr);
  EXPECT_EQ(raw_optional->type, 0xC057);
  EXPECT_EQ(raw_optional->value, (std::vector<uint8_t>{1, 2}));
  EXPECT_EQ(m->Get<Username>()->value, "u");
  std::vector<uint8_t> out;
  m->SerializeTo(out);
  EXPECT_EQ(ToHex(out), ToHex(raw));
}

TEST(Message, DuplicatesKeptFirstOneAnswersGet) {
  const auto m = Message::Parse(RawMessage(0x0001, {Tlv(attr::kUsername, {'a'}), Tlv(attr::kUsername, {'b'})}));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->attributes.size(), 2u);
  EXPECT_EQ(m->Get<Username>()->value, "a");
}

// Builds USERNAME "a", MESSAGE-INTEGRITY, then `after` (raw TLVs the
// builder would refuse to add), then FINGERPRINT, all with valid values.
std::vector<uint8_t> WithAttributesAfterMi(const std::vector<std::vector<uint8_t>>& after) {
  MessageBuilder b({method::kBinding, MessageClass::kRequest}, kTestId);
  EXPECT_TRUE(b.Add(Username{"a"}));
  EXPECT_TRUE(b.AddMessageIntegrity(Text("pw")));
  std::vector<uint8_t> msg = b.bytes();
  for (const auto& t : after) msg.insert(msg.end(), t.begin(), t.end());
  // Append FINGERPRINT by hand over the whole message.
  const auto fp = Tlv(attr::kFingerprint, {0, 0, 0, 0});
  msg.insert(msg.end(), fp.begin(), fp.end());
  StoreBE16(msg.data() + 2, static_cast<uint16_t>(msg.size() - kHeaderSize));
  StoreBE32(msg.data() + msg.size() - 4,
            ComputeFingerprint(std::span(msg).first(msg.size() - 8),
                               static_cast<uint16_t>(msg.size() - kHeaderSize)));
  return msg;
}

TEST(Message, AttributesAfterMessageIntegrityIgnored) {
  // RFC 8489 §14.5: after MI only MI-SHA256 and FINGERPRINT count. The
  // ignored ones are not even decoded: a broken PRIORITY and an unknown
  // comprehension-required type there neither fail nor get reported.
  const auto msg = WithAttributesAfterMi({Tlv(attr::kUsername, {'b'}),
                                          Tlv(attr::kPriority, {1}),
                                          Tlv(0x7777, {}),
                                          Tlv(attr::kMessageIntegrity, {1, 2})});
  const auto m = Message::Parse(msg);
  ASSERT_TRUE(m.ok()) << ToString(m.error());
  ASSERT_EQ(m->attributes.size(), 3u);
  EXPECT_EQ(AttributeType(m->attributes[0]), attr::kUsername);
  EXPECT_EQ(AttributeType(m->attributes[1]), attr::kMessageIntegrity);
  EXPECT_EQ(AttributeType(m->attributes[2]), attr::kFingerprint);
  EXPECT_EQ(m->Get<Username>()->value, "a");
  EXPECT_FALSE(m->Has<Priority>());
  EXPECT_TRUE(m->UnknownComprehensionRequired().empty());
  // MI still verifies (its length adjustment ends at MI), FINGERPRINT too.
  EXPECT_EQ(VerifyMessageIntegrity(msg, Text("pw")), IntegrityStatus::kOk);
  EXPECT_EQ(VerifyFingerprint(msg), IntegrityStatus::kOk);
}

TEST(Message, MiSha256AfterMiIsProcessedButNothingElse) {
  MessageBuilder b({method::kBinding, MessageClass::kRequest}, kTestId);
  ASSERT_TRUE(b.Add(Username{"a"}));
  ASSERT_TRUE(b.AddMessageIntegrity(Text("pw")));
  ASSERT_TRUE(b.AddMessageIntegritySha256(Text("pw")));
  std::vector<uint8_t> msg = b.bytes();
  // A second MESSAGE-INTEGRITY after MI-SHA256 is ignored, even if broken.
  const auto extra = Tlv(attr::kMessageIntegrity, {1, 2, 3});
  msg.insert(msg.end(), extra.begin(), extra.end());
  StoreBE16(msg.data() + 2, static_cast<uint16_t>(msg.size() - kHeaderSize));
  const auto m = Message::Parse(msg);
  ASSERT_TRUE(m.ok()) << ToString(m.error());
  ASSERT_EQ(m->attributes.size(), 3u);
  EXPECT_TRUE(m->Has<MessageIntegritySha256>());
  EXPECT_EQ(VerifyMessageIntegrity(msg, Text("pw")), IntegrityStatus::kOk);
  EXPECT_EQ(VerifyMessageIntegritySha256(msg, Text("pw")), IntegrityStatus::kOk);
}

TEST(Message, MiAfterMiSha256IsIgnored) {
  MessageBuilder b({method::kBinding, MessageClass::kRequest}, kTestId);
  ASSERT_TRUE(b.AddMessageIntegritySha256(Text("pw")));
  std::vector<uint8_t> msg = b.bytes();
  const auto mi = Tlv(attr::kMessageIntegrity, std::vector<uint8_t>(20, 0));
  msg.insert(msg.end(), mi.begin(), mi.end());
  StoreBE16(msg.data() + 2, static_cast<uint16_t>(msg.size() - kHeaderSize));
  const auto m = Message::Parse(msg);
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->Has<MessageIntegrity>());
  EXPECT_EQ(VerifyMessageIntegrity(msg, Text("pw")), IntegrityStatus::kAbsent);
  EXPECT_EQ(VerifyMessageIntegritySha256(msg, Text("pw")), IntegrityStatus::kOk);
}

TEST(Message, PaddingBytesAreIgnored) {
  // The same USERNAME padded with zeros, spaces and 0xFF parses the same.
  for (uint8_t pad : std::vector<uint8_t>{0x00, 0x20, 0xFF}) {
    const auto m = Message::Parse(RawMessage(0x0001, {Tlv(attr::kUsername, {'a', 'b'}, 2, pad)}));
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->Get<Username>()->value, "ab");
  }
}

}  // namespace
}  // namespace aegis::stun
