// DCEP (RFC 8832 §5) against the constructed fixtures in
// testdata/protocol_constants_5764_7983_8831_8832.json: every valid message
// parses to the expected fields and re-serializes to the same bytes; every
// must-reject message is refused with the expected reason.
#include "sctp/dcep.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "base/hex.h"
#include "sctp/data_channel.h"

namespace aegis::sctp {
namespace {

const nlohmann::json& Fixture() {
  static const nlohmann::json doc = [] {
    std::ifstream in(std::string(AEGIS_TESTDATA_DIR) + "/protocol_constants_5764_7983_8831_8832.json");
    EXPECT_TRUE(in.good());
    return nlohmann::json::parse(in);
  }();
  return doc["rfc8831_8832_datachannel"];
}

std::vector<uint8_t> Hex(const std::string& s) {
  auto b = FromHex(s);
  EXPECT_TRUE(b.has_value()) << s;
  return b.value_or(std::vector<uint8_t>{});
}

std::vector<uint8_t> Serialize(const DcepMessage& m) {
  std::vector<uint8_t> out;
  SerializeDcep(m, out);
  return out;
}

void ExpectRoundTrip(const std::vector<uint8_t>& bytes) {
  auto parsed = ParseDcep(bytes);
  ASSERT_TRUE(parsed.ok()) << ToString(parsed.error());
  EXPECT_EQ(Serialize(*parsed), bytes);
}

DataChannelOpen ParseOpen(const std::string& name) {
  const auto bytes = Hex(Fixture()["constructed_valid"][name].get<std::string>());
  auto open = DataChannelOpen::Parse(bytes);
  EXPECT_TRUE(open.ok()) << name;
  ExpectRoundTrip(bytes);
  return open.ok() ? *open : DataChannelOpen{};
}

TEST(Dcep, ConstantsMatchFixture) {
  const auto& f = Fixture();
  EXPECT_EQ(f["ppid"]["DCEP"], static_cast<uint32_t>(Ppid::kDcep));
  EXPECT_EQ(f["ppid"]["WebRTC String"], static_cast<uint32_t>(Ppid::kString));
  EXPECT_EQ(f["ppid"]["WebRTC Binary"], static_cast<uint32_t>(Ppid::kBinary));
  EXPECT_EQ(f["ppid"]["WebRTC String Empty"], static_cast<uint32_t>(Ppid::kStringEmpty));
  EXPECT_EQ(f["ppid"]["WebRTC Binary Empty"], static_cast<uint32_t>(Ppid::kBinaryEmpty));
  EXPECT_EQ(f["ppid"]["WebRTC Binary Partial (deprecated)"], static_cast<uint32_t>(Ppid::kBinaryPartial));
  EXPECT_EQ(f["ppid"]["WebRTC String Partial (deprecated)"], static_cast<uint32_t>(Ppid::kStringPartial));
  EXPECT_EQ(Hex(f["message_types"]["DATA_CHANNEL_ACK"]), std::vector<uint8_t>{0x02});
  EXPECT_EQ(Hex(f["message_types"]["DATA_CHANNEL_OPEN"]), std::vector<uint8_t>{0x03});
  const std::map<std::string, DcepChannelType> types = {
      {"RELIABLE", DcepChannelType::kReliable},
      {"RELIABLE_UNORDERED", DcepChannelType::kReliableUnordered},
      {"PARTIAL_RELIABLE_REXMIT", DcepChannelType::kPartialReliableRexmit},
      {"PARTIAL_RELIABLE_REXMIT_UNORDERED", DcepChannelType::kPartialReliableRexmitUnordered},
      {"PARTIAL_RELIABLE_TIMED", DcepChannelType::kPartialReliableTimed},
      {"PARTIAL_RELIABLE_TIMED_UNORDERED", DcepChannelType::kPartialReliableTimedUnordered},
  };
  for (const auto& [name, type] : types) {
    EXPECT_EQ(Hex(f["channel_types"][name]), std::vector<uint8_t>{static_cast<uint8_t>(type)}) << name;
    EXPECT_TRUE(IsKnownChannelType(static_cast<uint8_t>(type)));
  }
  for (const auto& reserved : f["channel_types"]["reserved"]) {
    EXPECT_FALSE(IsKnownChannelType(Hex(reserved)[0]));
  }
}

TEST(Dcep, ValidReliableChat) {
  const DataChannelOpen open = ParseOpen("open_reliable_label_chat_no_protocol");
  EXPECT_EQ(open.channel_type, DcepChannelType::kReliable);
  EXPECT_EQ(open.priority, 0);
  EXPECT_EQ(open.reliability_parameter, 0u);
  EXPECT_EQ(open.label, "chat");
  EXPECT_EQ(open.protocol, "");
  EXPECT_EQ(FromDcep(open.channel_type, open.reliability_parameter), (ChannelReliability{}));
}

TEST(Dcep, ValidRexmitUnorderedWithProtocol) {
  const DataChannelOpen open = ParseOpen("open_rexmit3_unordered_label_x_proto_json");
  EXPECT_EQ(open.channel_type, DcepChannelType::kPartialReliableRexmitUnordered);
  EXPECT_EQ(open.priority, 0x0100);
  EXPECT_EQ(open.reliability_parameter, 3u);
  EXPECT_EQ(open.label, "x");
  EXPECT_EQ(open.protocol, "json");
  const ChannelReliability r = FromDcep(open.channel_type, open.reliability_parameter);
  EXPECT_FALSE(r.ordered);
  EXPECT_EQ(r.policy, ReliabilityPolicy::kMaxRetransmits);
  EXPECT_EQ(r.value, 3u);
  EXPECT_EQ(ToChannelType(r), open.channel_type);
}

TEST(Dcep, ValidTimedEmptyLabel) {
  const DataChannelOpen open = ParseOpen("open_timed_1500ms_empty_label");
  EXPECT_EQ(open.channel_type, DcepChannelType::kPartialReliableTimed);
  EXPECT_EQ(open.priority, 0x0200);
  EXPECT_EQ(open.reliability_parameter, 1500u);
  EXPECT_TRUE(open.label.empty());
  EXPECT_TRUE(open.protocol.empty());
  const ChannelReliability r = FromDcep(open.channel_type, open.reliability_parameter);
  EXPECT_TRUE(r.ordered);
  EXPECT_EQ(r.policy, ReliabilityPolicy::kMaxLifetime);
  EXPECT_EQ(r.value, 1500u);
}

TEST(Dcep, ValidUtf8Label) {
  const DataChannelOpen open = ParseOpen("open_utf8_label");
  EXPECT_EQ(open.label, "k\xc3\xa4" "fer\xf0\x9f\x98\x80");  // "käfer😀", 10 bytes
  EXPECT_EQ(open.label.size(), 10u);
}

TEST(Dcep, ValidAck) {
  const auto bytes = Hex(Fixture()["constructed_valid"]["ack"].get<std::string>());
  auto parsed = ParseDcep(bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(std::holds_alternative<DataChannelAck>(*parsed));
  EXPECT_EQ(Serialize(*parsed), bytes);
  EXPECT_FALSE(DataChannelOpen::Parse(bytes).ok());  // the OPEN parser refuses an ACK
}

TEST(Dcep, EveryMustRejectFixtureIsRejected) {
  const std::map<std::string, DcepError> expected = {
      {"truncated_header_11_bytes", DcepError::kTruncated},
      {"label_length_exceeds_payload", DcepError::kLengthExceedsPayload},
      {"protocol_length_exceeds_payload", DcepError::kLengthExceedsPayload},
      {"lengths_sum_overflow_16bit", DcepError::kLengthExceedsPayload},
      {"unknown_channel_type_0x7f", DcepError::kUnknownChannelType},
      {"unknown_message_type_0x04", DcepError::kUnknownMessageType},
      {"invalid_utf8_label", DcepError::kInvalidUtf8Label},
      {"trailing_garbage_after_protocol", DcepError::kTrailingBytes},
  };
  size_t byte_cases = 0;
  for (const auto& [name, value] : Fixture()["constructed_invalid_must_close_no_ack"].items()) {
    const auto bytes = FromHex(value.get<std::string>());
    if (!bytes) continue;  // a procedure, not bytes: covered in sctp_channels_test.cc
    ++byte_cases;
    auto parsed = ParseDcep(*bytes);
    ASSERT_FALSE(parsed.ok()) << name;
    ASSERT_TRUE(expected.contains(name)) << "new fixture without an expected error: " << name;
    EXPECT_EQ(parsed.error(), expected.at(name)) << name << ": " << ToString(parsed.error());
  }
  EXPECT_EQ(byte_cases, expected.size());
}

TEST(Dcep, EveryTruncationOfAValidOpenIsRejected) {
  const auto bytes = Hex(Fixture()["constructed_valid"]["open_rexmit3_unordered_label_x_proto_json"]);
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto parsed = ParseDcep(std::span(bytes).first(n));
    ASSERT_FALSE(parsed.ok()) << n;
    const DcepError want = n == 0 ? DcepError::kEmpty
                           : n < DataChannelOpen::kFixedSize ? DcepError::kTruncated
                                                             : DcepError::kLengthExceedsPayload;
    EXPECT_EQ(parsed.error(), want) << n;
  }
}

TEST(Dcep, RejectsMalformedAckAndEmpty) {
  EXPECT_EQ(ParseDcep({}).error(), DcepError::kEmpty);
  const std::vector<uint8_t> ack_plus = {0x02, 0x00};
  EXPECT_EQ(ParseDcep(ack_plus).error(), DcepError::kTrailingBytes);
  for (int type : {0x00, 0x01, 0x04, 0xff}) {
    const std::vector<uint8_t> b = {static_cast<uint8_t>(type)};
    EXPECT_EQ(ParseDcep(b).error(), DcepError::kUnknownMessageType) << type;
  }
}

TEST(Dcep, RejectsInvalidUtf8Protocol) {
  // label "a", protocol 0xff (never valid in UTF-8)
  const auto bytes = Hex("030000000000000000010001" "61" "ff");
  EXPECT_EQ(ParseDcep(bytes).error(), DcepError::kInvalidUtf8Protocol);
}

TEST(Dcep, SerializeBuildsTheRfcLayout) {
  DataChannelOpen open;
  open.channel_type = DcepChannelType::kPartialReliableTimedUnordered;
  open.priority = 0x1234;
  open.reliability_parameter = 0xdeadbeef;
  open.label = "ab";
  open.protocol = "xyz";
  std::vector<uint8_t> out;
  open.SerializeTo(out);
  EXPECT_EQ(ToHex(out), "03821234deadbeef00020003" "6162" "78797a");
  auto again = DataChannelOpen::Parse(out);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, open);
}

TEST(Dcep, MaximumLengthFields) {
  DataChannelOpen open;
  open.label.assign(0xffff, 'l');
  open.protocol.assign(0xffff, 'p');
  std::vector<uint8_t> out;
  open.SerializeTo(out);
  ASSERT_EQ(out.size(), DataChannelOpen::kFixedSize + 2 * 0xffff);
  auto again = DataChannelOpen::Parse(out);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, open);
}

TEST(Dcep, ReliabilityMappingRoundTripsAllSixTypes) {
  for (int value : {0x00, 0x80, 0x01, 0x81, 0x02, 0x82}) {
    const auto raw = static_cast<uint8_t>(value);
    const auto type = static_cast<DcepChannelType>(raw);
    const ChannelReliability r = FromDcep(type, 7);
    EXPECT_EQ(ToChannelType(r), type) << int{raw};
    EXPECT_EQ(r.ordered, (raw & 0x80) == 0);
    // A reliable channel's parameter is ignored on receipt (RFC 8832 §5.1).
    EXPECT_EQ(r.value, (raw & 0x7f) == 0 ? 0u : 7u);
  }
}

}  // namespace
}  // namespace aegis::sctp
