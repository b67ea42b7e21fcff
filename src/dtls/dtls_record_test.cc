#include "dtls/dtls_record.h"

#include <gtest/gtest.h>

#include "base/hex.h"

namespace aegis::dtls {
namespace {

std::vector<uint8_t> Record(uint8_t type, uint16_t epoch, uint64_t seq, std::vector<uint8_t> body,
                            uint16_t version = 0xfefd) {
  std::vector<uint8_t> out;
  DtlsRecordHeader{type, version, epoch, seq, static_cast<uint16_t>(body.size())}.SerializeTo(out);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// One whole handshake message as a single fragment.
std::vector<uint8_t> Handshake(uint8_t msg_type, std::vector<uint8_t> body, uint16_t msg_seq = 0) {
  uint32_t n = static_cast<uint32_t>(body.size());
  std::vector<uint8_t> out = {msg_type, uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n),
                              uint8_t(msg_seq >> 8), uint8_t(msg_seq), 0, 0, 0,
                              uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)};
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::vector<uint8_t> Concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(DtlsRecordHeader, ParsesAndSerializes) {
  auto bytes = *FromHex("16 fefd 0001 0000000a0b0c 0003 aabbcc");
  ByteReader r(bytes);
  auto h = DtlsRecordHeader::Parse(r);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->content_type, 22);
  EXPECT_EQ(h->version, 0xfefd);
  EXPECT_EQ(h->epoch, 1);
  EXPECT_EQ(h->sequence_number, 0x0a0b0cu);
  EXPECT_EQ(h->length, 3);
  EXPECT_EQ(r.position(), DtlsRecordHeader::kSize);
  std::vector<uint8_t> out;
  h->SerializeTo(out);
  EXPECT_EQ(out, std::vector<uint8_t>(bytes.begin(), bytes.begin() + 13));
}

TEST(DtlsRecordHeader, RejectsNonDtlsHeaders) {
  for (const char* hex : {"16 0303 0000 000000000000 0000",   // TLS version
                          "18 fefd 0000 000000000000 0000",   // heartbeat type
                          "13 fefd 0000 000000000000 0000",   // type 19
                          "17 fefd 0001 000000000000 4801",   // length > 2^14 + 2048
                          "16 fefd 0000 0000000000"}) {       // short
    auto bytes = *FromHex(hex);
    ByteReader r(bytes);
    EXPECT_FALSE(DtlsRecordHeader::Parse(r)) << hex;
  }
}

TEST(InspectDatagram, CountsRecordKinds) {
  auto hello = Record(22, 0, 0, Handshake(1, {1, 2, 3}));
  auto cke = Record(22, 0, 1, Handshake(16, {4, 5}));
  auto ccs = Record(20, 0, 2, {1});
  auto app = Record(23, 1, 0, std::vector<uint8_t>(40, 7));
  auto s = InspectDatagram(Concat({hello, cke, ccs, app}), 2048);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->records, 4u);
  EXPECT_EQ(s->application_data_records, 1u);
  EXPECT_EQ(s->client_hello_records, 1u);
  EXPECT_EQ(s->client_final_flight_records, 2u);  // ClientKeyExchange + CCS
}

TEST(InspectDatagram, AcceptsFragmentsAndSeveralMessagesPerRecord) {
  // Bytes 2..3 of a 10-byte Certificate, then a ServerHelloDone, in one record.
  std::vector<uint8_t> frag = {11, 0, 0, 10, 0, 1, 0, 0, 2, 0, 0, 2, 0xaa, 0xbb};
  auto s = InspectDatagram(Record(22, 0, 5, Concat({frag, Handshake(14, {})})), 2048);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->records, 1u);
  EXPECT_EQ(s->client_hello_records, 0u);
}

TEST(InspectDatagram, RejectsBadDatagrams) {
  auto hello = Record(22, 0, 0, Handshake(1, {1, 2, 3}));
  struct Case {
    std::vector<uint8_t> bytes;
    DatagramError error;
  };
  std::vector<uint8_t> truncated(hello.begin(), hello.end() - 1);
  std::vector<uint8_t> overlong_frag = {1, 0, 0, 3, 0, 0, 0, 0, 2, 0, 0, 2, 1, 2};  // offset 2 + 2 > 3
  const std::vector<Case> cases = {
      {{}, DatagramError::kEmpty},
      {std::vector<uint8_t>(2049, 22), DatagramError::kTooLarge},
      {{0x00, 0x01, 0x00, 0x00}, DatagramError::kNotDtls},               // STUN
      {{0x80, 0x60, 0, 1}, DatagramError::kNotDtls},                     // RTP
      {{64, 0, 0}, DatagramError::kNotDtls},                             // TURN channel
      {{19}, DatagramError::kNotDtls},
      {truncated, DatagramError::kMalformed},                            // record runs past the end
      {Concat({hello, {22, 0xfe}}), DatagramError::kMalformed},          // trailing partial header
      {Record(24, 0, 0, {1}), DatagramError::kMalformed},                // unknown content type
      {Record(22, 0, 0, {1}), DatagramError::kMalformed},                // handshake header cut short
      {Record(22, 0, 0, {}), DatagramError::kMalformed},                 // empty handshake record
      {Record(22, 0, 0, Handshake(99, {})), DatagramError::kMalformed},  // unknown handshake type
      {Record(22, 0, 0, Handshake(20, {})), DatagramError::kMalformed},  // plaintext Finished
      {Record(22, 0, 0, overlong_frag), DatagramError::kMalformed},
      {Record(22, 0, 0, Concat({Handshake(1, {1}), {1}})), DatagramError::kMalformed},  // stray byte
      {Record(20, 0, 0, {2}), DatagramError::kMalformed},                // CCS must be 1
      {Record(20, 0, 0, {1, 1}), DatagramError::kMalformed},
      {Record(21, 0, 0, {2}), DatagramError::kMalformed},                // short alert
      {Record(21, 0, 0, {3, 0}), DatagramError::kMalformed},             // bad alert level
      {Record(22, 0, 0, Handshake(1, {}), 0x0303), DatagramError::kMalformed},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    auto s = InspectDatagram(cases[i].bytes, 2048);
    ASSERT_FALSE(s.ok()) << i;
    EXPECT_EQ(s.error(), cases[i].error) << i;
  }
  // Encrypted records (epoch > 0) are left to OpenSSL to authenticate.
  EXPECT_TRUE(InspectDatagram(Record(22, 1, 0, {1}), 2048).ok());
  EXPECT_TRUE(InspectDatagram(Record(21, 1, 0, {9, 9, 9}), 2048).ok());
  EXPECT_TRUE(InspectDatagram(Record(21, 0, 0, {2, 40}), 2048).ok());
}

TEST(CopyWithoutApplicationData, KeepsEverythingElseInOrder) {
  auto app1 = Record(23, 1, 0, {1, 2, 3});
  auto hs = Record(22, 1, 7, {9, 9});
  auto app2 = Record(23, 1, 1, {4});
  auto ccs = Record(20, 0, 3, {1});
  std::vector<uint8_t> out = {0xde, 0xad};  // replaced, not appended to
  CopyWithoutApplicationData(Concat({app1, ccs, app2, hs}), out);
  EXPECT_EQ(out, Concat({ccs, hs}));
  CopyWithoutApplicationData(app1, out);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace aegis::dtls
