// Each typed attribute: bytes → parse → fields → serialize → same bytes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/byte_writer.h"
#include "base/hex.h"
#include "stun/attribute.h"
#include "stun/test_util.h"

namespace aegis::stun {
namespace {

using testing::Hex;
using testing::kTestId;

// Parses `tlv_hex` (one whole attribute, padded) as attribute `type`,
// checks it equals `want`, and that serializing `want` gives `tlv_hex`.
void RoundTrip(const std::string& tlv_hex, const Attribute& want) {
  SCOPED_TRACE(tlv_hex);
  const auto tlv = Hex(tlv_hex);
  ASSERT_GE(tlv.size(), 4u);
  const uint16_t type = LoadBE16(tlv.data());
  const size_t length = LoadBE16(tlv.data() + 2);
  ASSERT_LE(4 + length, tlv.size());
  const auto parsed = ParseAttribute(type, std::span(tlv).subspan(4, length), kTestId);
  ASSERT_TRUE(parsed.ok()) << ToString(parsed.error());
  EXPECT_EQ(*parsed, want);
  EXPECT_EQ(AttributeType(*parsed), type);
  std::vector<uint8_t> out;
  ByteWriter w(out);
  SerializeAttribute(want, kTestId, w);
  EXPECT_EQ(ToHex(out), ToHex(tlv));
}

TEST(Attributes, XorMappedAddressIpv4) {
  // From RFC 5769 §2.2: 192.0.2.1:32853.
  RoundTrip("002000080001a147e112a643",
            XorMappedAddress{TransportAddress::Ipv4({192, 0, 2, 1}, 32853)});
}

TEST(Attributes, XorMappedAddressIpv6UsesTransactionId) {
  // From RFC 5769 §2.3 (same transaction id as kTestId).
  const auto addr = TransportAddress::FromString("2001:db8:1234:5678:11:2233:4455:6677", 32853);
  ASSERT_TRUE(addr.has_value());
  RoundTrip("002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9", XorMappedAddress{*addr});
  // A different transaction id decodes to a different address.
  TransactionId other = kTestId;
  other[11] ^= 0xFF;
  const auto v = Hex("0002a1470113a9faa5d3f179bc25f4b5bed2b9d9");
  const auto p = XorMappedAddress::Parse(v, other);
  ASSERT_TRUE(p.ok());
  EXPECT_NE(p->address, *addr);
  EXPECT_EQ(p->address.bytes[15], addr->bytes[15] ^ 0xFF);
}

TEST(Attributes, MappedAddressIsNotXored) {
  RoundTrip("000100080001801cc0000201", MappedAddress{TransportAddress::Ipv4({192, 0, 2, 1}, 32796)});
}

TEST(Attributes, AddressReservedByteIgnored) {
  const auto p = MappedAddress::Parse(Hex("ff01801cc0000201"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->address, TransportAddress::Ipv4({192, 0, 2, 1}, 32796));
}

TEST(Attributes, TextPaddedWithZeros) {
  RoundTrip("000600096576746a3a68367659000000", Username{"evtj:h6vY"});
  RoundTrip("8022000b7465737420766563746f7200", Software{"test vector"});
  RoundTrip("0014000b6578616d706c652e6f726700", Realm{"example.org"});
  RoundTrip("0015000461626364", Nonce{"abcd"});
  RoundTrip("00060000", Username{""});
}

TEST(Attributes, IceAttributes) {
  RoundTrip("002400046e0001ff", Priority{0x6e0001ff});
  RoundTrip("00250000", UseCandidate{});
  RoundTrip("802a00080102030405060708", IceControlling{0x0102030405060708});
  RoundTrip("80290008932ff9b151263b36", IceControlled{0x932ff9b151263b36});
}

TEST(Attributes, ErrorCode) {
  // 420 = class 4, number 20 (0x14).
  RoundTrip("0009001500000414556e6b6e6f776e20417474726962757465000000",
            ErrorCode{420, "Unknown Attribute"});
  RoundTrip("0009000400000300", ErrorCode{300, ""});
  RoundTrip("0009000400000663", ErrorCode{699, ""});
  // The 21 reserved bits are ignored on receipt: 0xfc = reserved 11111,
  // class 100 (4); number 0x57 (87).
  const auto q = ErrorCode::Parse(Hex("fffffc57"));
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->code, 487);
}

TEST(Attributes, UnknownAttributes) {
  RoundTrip("000a0004001e7fff", UnknownAttributes{{0x001e, 0x7fff}});
  RoundTrip("000a0002001e0000", UnknownAttributes{{0x001e}});
}

TEST(Attributes, IntegrityValues) {
  MessageIntegrity mi;
  for (size_t i = 0; i < mi.hmac.size(); ++i) mi.hmac[i] = static_cast<uint8_t>(i);
  RoundTrip("00080014000102030405060708090a0b0c0d0e0f10111213", mi);
  RoundTrip("001c0010000102030405060708090a0b0c0d0e0f",
            MessageIntegritySha256{Hex("000102030405060708090a0b0c0d0e0f")});
  RoundTrip("80280004e57a3bcf", Fingerprint{0xe57a3bcf});
}

TEST(Attributes, UnknownTypesKeptRaw) {
  RoundTrip("7fff0003010203" "00", RawAttribute{0x7fff, {1, 2, 3}});
  RoundTrip("c0010000", RawAttribute{0xc001, {}});
}

}  // namespace
}  // namespace aegis::stun
