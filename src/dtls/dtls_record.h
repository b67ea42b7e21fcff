// Pre-checks a datagram's DTLS record framing before OpenSSL sees it, so that
// non-DTLS bytes, truncated or oversized records and early application data
// are dropped and counted here (RFC 6347 §4.1.2.7: invalid records are
// silently discarded).
//
// DTLS 1.2 record header (RFC 6347 §4.1):
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |  ContentType  |    ProtocolVersion (0xFEFD / 0xFEFF)  |  epoch  :
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   :  epoch (cont) |            sequence_number (48 bits)          :
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   :               sequence_number (cont)          |    length     :
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   : length (cont) |  fragment (length bytes) ...
//   +-+-+-+-+-+-+-+-+
// A datagram may carry several records back to back (RFC 6347 §4.1.1).
//
// Epoch-0 records are plaintext, and OpenSSL treats a malformed one as fatal
// (unlike RFC 6347 §4.1.2.7, which says to discard it), so one spoofed
// datagram could end a handshake. Their content is checked here too: a
// ChangeCipherSpec is the single byte 1, an alert is 2 bytes, and a
// handshake record is whole handshake fragments (RFC 6347 §4.2.2):
//   msg_type(1) length(3) message_seq(2) fragment_offset(3)
//   fragment_length(3) body[fragment_length]
// with fragment_offset + fragment_length <= length and a known msg_type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/byte_reader.h"
#include "base/result.h"

namespace aegis::dtls {

enum class ContentType : uint8_t {
  kChangeCipherSpec = 20,
  kAlert = 21,
  kHandshake = 22,
  kApplicationData = 23,
};

// Handshake message types the engine looks at (RFC 5246 §7.4).
enum class HandshakeType : uint8_t {
  kHelloRequest = 0,
  kClientHello = 1,
  kServerHello = 2,
  kHelloVerifyRequest = 3,
  kNewSessionTicket = 4,
  kCertificate = 11,
  kServerKeyExchange = 12,
  kCertificateRequest = 13,
  kServerHelloDone = 14,
  kCertificateVerify = 15,
  kClientKeyExchange = 16,
};

struct DtlsRecordHeader {
  static constexpr size_t kSize = 13;
  // RFC 6347 §4.1.1.1: a record's ciphertext is at most 2^14 + 2048 bytes.
  static constexpr size_t kMaxLength = 16384 + 2048;

  uint8_t content_type = 0;
  uint16_t version = 0;
  uint16_t epoch = 0;
  uint64_t sequence_number = 0;  // 48 bits
  uint16_t length = 0;

  // Reads one header and moves `reader` past it; nullopt on a short or
  // non-DTLS header (unknown content type, version not DTLS 1.0/1.2).
  static std::optional<DtlsRecordHeader> Parse(ByteReader& reader);
  void SerializeTo(std::vector<uint8_t>& out) const;
};

enum class DatagramError {
  kEmpty,
  kTooLarge,
  kNotDtls,    // first byte outside 20..63 (RFC 7983)
  kMalformed,  // a bad record header or plaintext, or a record runs past the end
};

// What the records of a well-formed datagram are.
struct DatagramSummary {
  size_t records = 0;
  size_t application_data_records = 0;
  // Epoch-0 handshake records holding only ClientHello fragments.
  size_t client_hello_records = 0;
  // ChangeCipherSpec or epoch-0 Certificate/ClientKeyExchange/
  // CertificateVerify: a client repeating its last flight, meaning it has
  // not seen our Finished.
  size_t client_final_flight_records = 0;
};

// Walks every record of `datagram`; an error if any is malformed, so that a
// bad record never reaches OpenSSL.
Result<DatagramSummary, DatagramError> InspectDatagram(std::span<const uint8_t> datagram, size_t max_size);

// Copies `datagram` (already inspected) to `out` without its application
// data records.
void CopyWithoutApplicationData(std::span<const uint8_t> datagram, std::vector<uint8_t>& out);

}  // namespace aegis::dtls
