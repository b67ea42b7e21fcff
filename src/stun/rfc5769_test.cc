// RFC 5769 sample messages (testdata/rfc5769_stun.json): parse, check every
// field, verify MESSAGE-INTEGRITY and FINGERPRINT, tamper, re-serialize.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/hex.h"
#include "stun/integrity.h"
#include "stun/is_stun_message.h"
#include "stun/message.h"
#include "stun/message_builder.h"
#include "stun/test_util.h"

namespace aegis::stun {
namespace {

using testing::Hex;
using testing::Rfc5769Bytes;
using testing::Text;

constexpr char kPassword[] = "VOkJxbRl1RmTxUk/WvJxBt";
const TransactionId kId21 = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
const TransactionId kId24 = {0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e};
// "マトリックス" in UTF-8 (U+30DE U+30C8 U+30EA U+30C3 U+30AF U+30B9).
constexpr char kUsername24[] = "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9";

std::string Sample(const std::string& name, const std::string& field) {
  const auto doc = testing::LoadRfc5769();
  return doc["samples"][name][field].get<std::string>();
}

// Zeroes every attribute's padding bytes, walking the TLVs independently
// of the code under test. The RFC 5769 samples 2.1–2.3 pad with spaces
// (0x20), which receivers must ignore; we send zeros (RFC 8489 §14), so a
// re-serialized message equals the sample only after this normalization.
std::vector<uint8_t> ZeroPadding(std::vector<uint8_t> msg) {
  size_t at = kHeaderSize;
  while (at + 4 <= msg.size()) {
    const size_t len = LoadBE16(msg.data() + at + 2);
    const size_t padded = (len + 3) / 4 * 4;
    for (size_t i = at + 4 + len; i < at + 4 + padded && i < msg.size(); ++i) msg[i] = 0;
    at += 4 + padded;
  }
  return msg;
}

TEST(Rfc5769, SampleRequest) {
  const auto raw = Rfc5769Bytes("2.1_sample_request");
  ASSERT_EQ(raw.size(), 108u);
  ASSERT_TRUE(IsStunMessage(raw));
  const auto m = Message::Parse(raw);
  ASSERT_TRUE(m.ok()) << ToString(m.error());
  EXPECT_EQ(m->type, (MessageType{method::kBinding, MessageClass::kRequest}));
  EXPECT_EQ(m->transaction_id, kId21);
  ASSERT_EQ(m->attributes.size(), 6u);
  // Wire order: SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, MI, FINGERPRINT.
  EXPECT_EQ(AttributeType(m->attributes[0]), attr::kSoftware);
  EXPECT_EQ(AttributeType(m->attributes[1]), attr::kPriority);
  EXPECT_EQ(AttributeType(m->attributes[2]), attr::kIceControlled);
  EXPECT_EQ(AttributeType(m->attributes[3]), attr::kUsername);
  EXPECT_EQ(AttributeType(m->attributes[4]), attr::kMessageIntegrity);
  EXPECT_EQ(AttributeType(m->attributes[5]), attr::kFingerprint);

  const std::string s = "2.1_sample_request";
  ASSERT_TRUE(m->Has<Software>() && m->Has<Username>() && m->Has<Priority>());
  EXPECT_EQ(m->Get<Software>()->value, Sample(s, "software"));
  EXPECT_EQ(m->Get<Username>()->value, Sample(s, "username"));
  EXPECT_EQ(m->Get<Priority>()->value, std::stoul(Sample(s, "priority"), nullptr, 16));
  ASSERT_TRUE(m->Has<IceControlled>());
  EXPECT_EQ(m->Get<IceControlled>()->tie_breaker,
            std::stoull(Sample(s, "ice_controlled"), nullptr, 16));
  EXPECT_FALSE(m->Has<IceControlling>());
  EXPECT_FALSE(m->Has<UseCandidate>());
  EXPECT_TRUE(m->UnknownComprehensionRequired().empty());
  EXPECT_EQ(ToHex(m->Get<MessageIntegrity>()->hmac), "9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2");
  EXPECT_EQ(m->Get<Fingerprint>()->value, 0xe57a3bcfu);

  EXPECT_EQ(Sample(s, "short_term_password"), kPassword);
  EXPECT_EQ(VerifyMessageIntegrity(raw, ShortTermKey(kPassword)), IntegrityStatus::kOk);
  EXPECT_EQ(VerifyMessageIntegrity(raw, ShortTermKey("VOkJxbRl1RmTxUk/WvJxBT")),
            IntegrityStatus::kMismatch);
  EXPECT_EQ(VerifyMessageIntegritySha256(raw, ShortTermKey(kPassword)), IntegrityStatus::kAbsent);
  EXPECT_EQ(VerifyFingerprint(raw), IntegrityStatus::kOk);
}

void CheckResponse(const std::string& name, AddressFamily family) {
  SCOPED_TRACE(name);
  const auto raw = Rfc5769Bytes(name);
  ASSERT_TRUE(IsStunMessage(raw));
  const auto m = Message::Parse(raw);
  ASSERT_TRUE(m.ok()) << ToString(m.error());
  EXPECT_EQ(m->type, (MessageType{method::kBinding, MessageClass::kSuccessResponse}));
  EXPECT_EQ(m->transaction_id, kId21);
  ASSERT_EQ(m->attributes.size(), 4u);
  EXPECT_EQ(m->Get<Software>()->value, Sample(name, "software"));
  ASSERT_TRUE(m->Has<XorMappedAddress>());
  const auto& a = m->Get<XorMappedAddress>()->address;
  EXPECT_EQ(a.family, family);
  EXPECT_EQ(a.IpString(), Sample(name, "xor_mapped_address"));
  const auto doc = testing::LoadRfc5769();
  EXPECT_EQ(a.port, doc["samples"][name]["port"].get<int>());
  const auto expected = TransportAddress::FromString(Sample(name, "xor_mapped_address"), 32853);
  ASSERT_TRUE(expected.has_value());
  EXPECT_EQ(a, *expected);
  EXPECT_EQ(VerifyMessageIntegrity(raw, ShortTermKey(Sample(name, "short_term_password"))),
            IntegrityStatus::kOk);
  EXPECT_EQ(VerifyFingerprint(raw), IntegrityStatus::kOk);
}

TEST(Rfc5769, SampleIpv4Response) {
  CheckResponse("2.2_sample_ipv4_response", AddressFamily::kIpv4);
}

TEST(Rfc5769, SampleIpv6Response) {
  CheckResponse("2.3_sample_ipv6_response", AddressFamily::kIpv6);
}

TEST(Rfc5769, SampleRequestLongTermAuth) {
  const std::string s = "2.4_sample_request_long_term_auth";
  const auto raw = Rfc5769Bytes(s);
  ASSERT_TRUE(IsStunMessage(raw));
  const auto m = Message::Parse(raw);
  ASSERT_TRUE(m.ok()) << ToString(m.error());
  EXPECT_EQ(m->type, (MessageType{method::kBinding, MessageClass::kRequest}));
  EXPECT_EQ(m->transaction_id, kId24);
  ASSERT_EQ(m->attributes.size(), 4u);
  EXPECT_EQ(m->Get<Username>()->value, kUsername24);
  EXPECT_EQ(m->Get<Nonce>()->value, Sample(s, "nonce"));
  EXPECT_EQ(m->Get<Realm>()->value, Sample(s, "realm"));
  EXPECT_TRUE(m->Has<MessageIntegrity>());
  EXPECT_FALSE(m->Has<Fingerprint>());

  // Long-term key = MD5(username ":" realm ":" SASLprep(password)).
  const auto key = LongTermKey(kUsername24, "example.org", Sample(s, "password_after_saslprep"));
  EXPECT_EQ(ToHex(key.view()), Sample(s, "long_term_key_md5"));
  EXPECT_EQ(VerifyMessageIntegrity(raw, key.view()), IntegrityStatus::kOk);
  // The password itself is the short-term key, not the long-term one.
  EXPECT_EQ(VerifyMessageIntegrity(raw, ShortTermKey("TheMatrIX")), IntegrityStatus::kMismatch);
  EXPECT_EQ(VerifyFingerprint(raw), IntegrityStatus::kAbsent);
}

struct SampleCase {
  const char* name;
  bool has_fingerprint;
  bool long_term;
};
const SampleCase kSamples[] = {
    {"2.1_sample_request", true, false},
    {"2.2_sample_ipv4_response", true, false},
    {"2.3_sample_ipv6_response", true, false},
    {"2.4_sample_request_long_term_auth", false, true},
};

crypto::SecretBytes KeyFor(const SampleCase& c) {
  if (c.long_term) return LongTermKey(kUsername24, "example.org", "TheMatrIX");
  return crypto::SecretBytes(ShortTermKey(kPassword));
}

// Every single-bit flip anywhere in a sample must break FINGERPRINT (CRC-32
// detects all single-bit errors) and MESSAGE-INTEGRITY, except flips inside
// the FINGERPRINT attribute, which MESSAGE-INTEGRITY does not cover (a flip
// in its length field still makes the message malformed).
TEST(Rfc5769, EverySingleBitFlipIsDetected) {
  for (const auto& c : kSamples) {
    SCOPED_TRACE(c.name);
    const auto raw = Rfc5769Bytes(c.name);
    const auto key = KeyFor(c);
    ASSERT_EQ(VerifyMessageIntegrity(raw, key.view()), IntegrityStatus::kOk);
    const size_t mi_end = c.has_fingerprint ? raw.size() - 8 : raw.size();
    for (size_t i = 0; i < raw.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        auto bad = raw;
        bad[i] = static_cast<uint8_t>(bad[i] ^ (1u << bit));
        SCOPED_TRACE("byte " + std::to_string(i) + " bit " + std::to_string(bit));
        const auto mi = VerifyMessageIntegrity(bad, key.view());
        if (i < mi_end) {
          EXPECT_NE(mi, IntegrityStatus::kOk);
        } else if (i == mi_end + 2 || i == mi_end + 3) {
          // FINGERPRINT's length field: the message no longer frames.
          EXPECT_EQ(mi, IntegrityStatus::kMalformed);
        } else {
          EXPECT_EQ(mi, IntegrityStatus::kOk);
        }
        if (c.has_fingerprint) {
          EXPECT_NE(VerifyFingerprint(bad), IntegrityStatus::kOk);
        }
      }
    }
  }
}

// Parse → SerializeTo gives back the sample with its padding zeroed. For
// 2.4 (NUL padding) that is the sample itself, byte for byte. For 2.1–2.3
// the space padding is covered by MI and FINGERPRINT, so the re-serialized
// bytes (zero padding) no longer verify: integrity must be checked on the
// bytes received, which is what VerifyMessageIntegrity takes.
TEST(Rfc5769, ReserializeMatchesWithPaddingNormalized) {
  for (const auto& c : kSamples) {
    SCOPED_TRACE(c.name);
    const auto raw = Rfc5769Bytes(c.name);
    const auto m = Message::Parse(raw);
    ASSERT_TRUE(m.ok());
    std::vector<uint8_t> out;
    m->SerializeTo(out);
    EXPECT_EQ(ToHex(out), ToHex(ZeroPadding(raw)));
    const bool space_padded = out != raw;
    EXPECT_EQ(space_padded, !c.long_term);  // only 2.4 pads with NUL
    const auto key = KeyFor(c);
    EXPECT_EQ(VerifyMessageIntegrity(out, key.view()) == IntegrityStatus::kOk, !space_padded);
    if (c.has_fingerprint) {
      EXPECT_EQ(VerifyFingerprint(out) == IntegrityStatus::kOk, !space_padded);
    }
    const auto again = Message::Parse(out);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *m);
  }
}

// Our builder, given the sample's attributes and key, reproduces the sample
// exactly where it is canonical (2.4), and up to padding plus the values
// that cover padding (MI, FINGERPRINT) for 2.1–2.3.
TEST(Rfc5769, BuilderReproducesSamples) {
  for (const auto& c : kSamples) {
    SCOPED_TRACE(c.name);
    const auto raw = Rfc5769Bytes(c.name);
    const auto m = Message::Parse(raw);
    ASSERT_TRUE(m.ok());
    MessageBuilder b(m->type, m->transaction_id);
    for (const auto& a : m->attributes) {
      const uint16_t t = AttributeType(a);
      if (t == attr::kMessageIntegrity || t == attr::kFingerprint) continue;
      ASSERT_TRUE(b.Add(a));
    }
    const auto key = KeyFor(c);
    ASSERT_TRUE(b.AddMessageIntegrity(key.view()));
    if (c.has_fingerprint) {
      ASSERT_TRUE(b.AddFingerprint());
    }
    const auto& built = b.bytes();
    ASSERT_EQ(built.size(), raw.size());
    if (c.long_term) {
      EXPECT_EQ(ToHex(built), ToHex(raw));
    } else {
      const size_t mi_value = raw.size() - 8 - 20;
      const auto expected = ZeroPadding(raw);
      EXPECT_EQ(ToHex(std::span(built).first(mi_value)), ToHex(std::span(expected).first(mi_value)));
    }
    EXPECT_EQ(VerifyMessageIntegrity(built, key.view()), IntegrityStatus::kOk);
    if (c.has_fingerprint) {
      EXPECT_EQ(VerifyFingerprint(built), IntegrityStatus::kOk);
    }
  }
}

}  // namespace
}  // namespace aegis::stun
